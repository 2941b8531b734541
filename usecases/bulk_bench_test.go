package usecases_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/adapters/postgres/pgtest"
	"github.com/telcojobs/telcojobs/adapters/sqlite/sqlitetest"
	"github.com/telcojobs/telcojobs/domain"

	"github.com/telcojobs/telcojobs/usecases"
)

// The benchmarks of this file take minutes and run only with -bench, for
// example:
//
//	scripts/test.sh -run '^$' -bench BulkFiles -benchtime 1x ./usecases/
//
// Each reports its baseline in the same run and the ratio between them.

const benchShopRows = 1_000_000

// benchShopFields returns the values of generated shop i, shared by the CSV
// file and the COPY or INSERT baselines so that both write the same rows.
func benchShopFields(i int) (code, name, email, phone, postal, address, city, province, saleTypes string, discount int) {
	return fmt.Sprintf("TDA-%07d", i), fmt.Sprintf("Tienda número %d", i), fmt.Sprintf("tienda%d@tiendas.example.com", i),
		fmt.Sprintf("+34%d", 600000000+i), fmt.Sprintf("%05d", 1000+i%50000), fmt.Sprintf("Calle Mayor %d", i%300),
		"Madrid", "Madrid", "new_line|portability", i % 30
}

// shopSource generates a CSV file of shops without holding it in memory.
type shopSource struct {
	n, i int
	buf  []byte
}

func (s *shopSource) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.i > s.n {
			return 0, io.EOF
		}
		if s.i == 0 {
			s.buf = []byte("code;name;enabled;email;phone;postal_code;address;city;province;sale_types;max_discount;can_sell_devices;esim_allowed\n")
		} else {
			code, name, email, phone, postal, address, city, province, _, discount := benchShopFields(s.i)
			s.buf = fmt.Appendf(s.buf[:0], "%s;%s;si;%s;%s;%s;%s;%s;%s;alta|portabilidad;%d;no;si\n",
				code, name, email, phone, postal, address, city, province, discount)
		}
		s.i++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// generatedBlobs serves generated shop files: key "shops-N.csv" has N rows.
type generatedBlobs struct{ *fake.BlobStore }

func (g generatedBlobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	var n int
	if _, err := fmt.Sscanf(key, "shops-%d.csv", &n); err == nil {
		return io.NopCloser(&shopSource{n: n}), nil
	}
	return g.BlobStore.Get(ctx, key)
}

// memoryPeak samples the Go heap until stop is called.
type memoryPeak struct {
	heapInuse, sys uint64
	done           chan struct{}
	wg             sync.WaitGroup
}

func sampleMemory() *memoryPeak {
	runtime.GC()
	m := &memoryPeak{done: make(chan struct{})}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		var ms runtime.MemStats
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			m.heapInuse = max(m.heapInuse, ms.HeapInuse)
			m.sys = max(m.sys, ms.Sys)
			select {
			case <-m.done:
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

func (m *memoryPeak) stop() { close(m.done); m.wg.Wait() }

// importShops times one update_shops run of n generated rows into a new
// channel and returns its duration and memory peak.
func importShops(b *testing.B, store bulkStore, n, run int) (time.Duration, *memoryPeak) {
	ctx := context.Background()
	slug := fmt.Sprintf("bench-%d", run)
	_, err := store.CreateChannel(ctx, domain.Channel{Slug: slug, Name: slug})
	require.NoError(b, err)
	h, err := usecases.NewUpdateShops(usecases.ImportConfig{}, generatedBlobs{fake.NewBlobStore()}, store, store, store, nil, nil)
	require.NoError(b, err)

	mem := sampleMemory()
	start := time.Now()
	res, err := h.Handle(ctx, usecases.UpdateShopsInput{ChannelSlug: slug, FileKey: fmt.Sprintf("shops-%d.csv", n)})
	elapsed := time.Since(start)
	mem.stop()
	require.NoError(b, err)
	require.Equal(b, n, res.Created, "%v", res.RejectedRows)
	return elapsed, mem
}

var benchColumns = []string{"channel_id", "code", "name", "enabled", "email", "phone", "postal_code", "address", "city",
	"province", "shop_code", "sale_types", "max_discount_percent", "can_sell_devices", "esim_allowed", "updated_at"}

// benchRow returns the values of generated shop i of a channel in the order
// of benchColumns.
func benchRow(channelID int64, i int, at any) []any {
	code, name, email, phone, postal, address, city, province, saleTypes, discount := benchShopFields(i)
	return []any{channelID, code, name, true, email, phone, postal, address, city, province, "", saleTypes, int32(discount), false, true, at}
}

// copyShops copies benchShopRows generated shops into table with COPY and
// returns how long it took.
func copyShops(b *testing.B, pool *pgxpool.Pool, table string, channelID int64) time.Duration {
	ctx := context.Background()
	_, err := pool.Exec(ctx, `TRUNCATE `+table)
	require.NoError(b, err)

	at := time.Now().UTC()
	i := 0
	start := time.Now()
	n, err := pool.CopyFrom(ctx, pgx.Identifier{table}, benchColumns, pgx.CopyFromFunc(func() ([]any, error) {
		if i == benchShopRows {
			return nil, nil
		}
		i++
		return benchRow(channelID, i, at), nil
	}))
	elapsed := time.Since(start)
	require.NoError(b, err)
	require.EqualValues(b, benchShopRows, n)
	return elapsed
}

// BenchmarkBulkFilesShopImportPostgreSQL compares update_shops with one
// COPY of the same rows into a table of the same shape as shops. LIKE gives
// it the columns, defaults, keys and indexes of shops, and it gets the same
// foreign key to channels, which PostgreSQL checks once per row. A COPY into
// a copy without that key is reported beside it.
func BenchmarkBulkFilesShopImportPostgreSQL(b *testing.B) {
	store := pgtest.Open(b)
	ctx := context.Background()
	_, err := store.DB().ExecContext(ctx, `CREATE TABLE bench_shops (LIKE shops INCLUDING ALL);
		ALTER TABLE bench_shops ADD FOREIGN KEY (channel_id) REFERENCES channels (id);
		CREATE TABLE bench_shops_without_key (LIKE shops INCLUDING ALL)`)
	require.NoError(b, err)
	channel, err := store.CreateChannel(ctx, domain.Channel{Slug: "bench-copy", Name: "bench-copy"})
	require.NoError(b, err)

	for run := 0; b.Loop(); run++ {
		copyTime := copyShops(b, store.Pool(), "bench_shops", channel.ID)
		copyWithoutKey := copyShops(b, store.Pool(), "bench_shops_without_key", channel.ID)
		importTime, mem := importShops(b, store, benchShopRows, run)

		b.ReportMetric(copyTime.Seconds(), "copy_s")
		b.ReportMetric(importTime.Seconds(), "import_s")
		b.ReportMetric(copyTime.Seconds()/importTime.Seconds(), "copy/import")
		b.ReportMetric(copyWithoutKey.Seconds(), "copy_no_fk_s")
		b.ReportMetric(copyWithoutKey.Seconds()/importTime.Seconds(), "copy_no_fk/import")
		b.ReportMetric(float64(mem.heapInuse)/1e6, "peak_heap_MB")
		b.ReportMetric(float64(mem.sys)/1e6, "peak_sys_MB")
	}
}

// BenchmarkBulkFilesShopImportSQLite compares update_shops with one
// prepared-insert loop in one transaction into a copy of the shops table,
// made from its own CREATE statements, foreign key included.
func BenchmarkBulkFilesShopImportSQLite(b *testing.B) {
	store := sqlitetest.Open(b)
	ctx := context.Background()
	rows, err := store.DB().QueryContext(ctx, `SELECT sql FROM sqlite_master WHERE tbl_name = 'shops' AND sql IS NOT NULL`)
	require.NoError(b, err)
	var ddl []string
	for rows.Next() {
		var stmt string
		require.NoError(b, rows.Scan(&stmt))
		ddl = append(ddl, stmt)
	}
	require.NoError(b, rows.Err())
	require.NoError(b, rows.Close())
	require.Len(b, ddl, 2, "the CREATE TABLE and CREATE INDEX statements of shops")
	for _, stmt := range ddl {
		stmt = strings.NewReplacer("TABLE shops", "TABLE bench_shops", "INDEX shops_", "INDEX bench_shops_", "ON shops", "ON bench_shops").Replace(stmt)
		_, err := store.DB().ExecContext(ctx, stmt)
		require.NoError(b, err, stmt)
	}
	channel, err := store.CreateChannel(ctx, domain.Channel{Slug: "bench-insert", Name: "bench-insert"})
	require.NoError(b, err)

	for run := 0; b.Loop(); run++ {
		_, err := store.DB().ExecContext(ctx, `DELETE FROM bench_shops`)
		require.NoError(b, err)
		at := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
		start := time.Now()
		tx, err := store.DB().BeginTx(ctx, nil)
		require.NoError(b, err)
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO bench_shops (`+strings.Join(benchColumns, ", ")+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`)
		require.NoError(b, err)
		for i := 1; i <= benchShopRows; i++ {
			_, err := stmt.ExecContext(ctx, benchRow(channel.ID, i, at)...)
			require.NoError(b, err)
		}
		require.NoError(b, stmt.Close())
		require.NoError(b, tx.Commit())
		insertTime := time.Since(start)

		importTime, mem := importShops(b, store, benchShopRows, run)
		b.ReportMetric(insertTime.Seconds(), "insert_s")
		b.ReportMetric(importTime.Seconds(), "import_s")
		b.ReportMetric(insertTime.Seconds()/importTime.Seconds(), "insert/import")
		b.ReportMetric(float64(mem.heapInuse)/1e6, "peak_heap_MB")
		b.ReportMetric(float64(mem.sys)/1e6, "peak_sys_MB")
	}
}

const benchDocuments = 100_000

// fillPool adds benchDocuments free TV codes.
func fillPool(b *testing.B, store bulkStore) {
	codes := make([]string, benchDocuments)
	for i := range codes {
		codes[i] = fmt.Sprintf("TV-%07d", i)
	}
	_, err := store.AddPromotionCodes(context.Background(), domain.PromotionTV, codes, time.Now())
	require.NoError(b, err)
}

// assignOneByOne is the old per-row algorithm: for each document, check
// whether it has a code, select a free code, assign it and insert the audit
// row, one round trip each.
func assignOneByOne(b *testing.B, store interface{ DB() *sql.DB }, docs []domain.Document) {
	ctx := context.Background()
	db := store.DB()
	for _, d := range docs {
		var n int
		require.NoError(b, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM promotion_codes WHERE kind = 'TV' AND document_type = $1 AND document_number = $2`,
			string(d.Kind), d.Number).Scan(&n))
		if n > 0 {
			continue
		}
		var id int64
		var code string
		require.NoError(b, db.QueryRowContext(ctx, `SELECT id, code FROM promotion_codes WHERE kind = 'TV' AND document_number IS NULL ORDER BY id LIMIT 1`).Scan(&id, &code))
		now := time.Now().UTC()
		_, err := db.ExecContext(ctx, `UPDATE promotion_codes SET document_type = $1, document_number = $2, assigned_at = $3, assigned_by = 'bench' WHERE id = $4`,
			string(d.Kind), d.Number, now, id)
		require.NoError(b, err)
		_, err = db.ExecContext(ctx, `INSERT INTO audit_entries (actor, action, object, message, at) VALUES ('bench', 'assign_promotion_code', $1, $2, $3)`,
			"promotion_code:"+code, "código "+code+" asignado a "+d.String(), now)
		require.NoError(b, err)
	}
}

func BenchmarkBulkFilesAssignPostgreSQL(b *testing.B) {
	ctx := context.Background()
	docs := make([]domain.Document, benchDocuments)
	for i := range docs {
		docs[i] = domain.Document{Kind: domain.DocumentDNI, Number: dniNumber(i)}
	}
	data := documentsFile(0, benchDocuments)

	for b.Loop() {
		old := pgtest.Open(b)
		fillPool(b, old)
		start := time.Now()
		assignOneByOne(b, old, docs)
		oldTime := time.Since(start)

		store := pgtest.Open(b)
		fillPool(b, store)
		blobs := fake.NewBlobStore()
		require.NoError(b, blobs.Put(ctx, "docs.csv", strings.NewReader(string(data))))
		h, err := usecases.NewAssignPromotionCodes(usecases.AssignPromotionCodesConfig{}, blobs, store, store, nil, nil)
		require.NoError(b, err)
		start = time.Now()
		res, err := h.Handle(ctx, usecases.AssignPromotionCodesInput{FileKey: "docs.csv", UserID: "bench"})
		newTime := time.Since(start)
		require.NoError(b, err)
		require.Equal(b, benchDocuments, res.Assigned)

		b.ReportMetric(oldTime.Seconds(), "per_row_s")
		b.ReportMetric(newTime.Seconds(), "batched_s")
		b.ReportMetric(oldTime.Seconds()/newTime.Seconds(), "speedup")
	}
}
