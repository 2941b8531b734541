package usecases_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/usecases"
)

// loadPool adds n free TV codes named PREFIX-0000 and up.
func (env *bulkEnv) loadPool(t *testing.T, prefix string, n int) {
	t.Helper()
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "%s-%05d\n", prefix, i)
	}
	res, err := env.load.Handle(context.Background(), usecases.LoadPromotionCodesInput{FileKey: env.put(t, "pool-"+prefix+".txt", b.Bytes())})
	require.NoError(t, err)
	require.Equal(t, n, res.Added)
}

func (env *bulkEnv) assignFile(t *testing.T, key, user string) usecases.AssignPromotionCodesResult {
	t.Helper()
	res, err := env.assign.Handle(context.Background(), usecases.AssignPromotionCodesInput{FileKey: key, UserID: user})
	require.NoError(t, err)
	return res
}

// dniNumber returns a valid DNI number for n.
func dniNumber(n int) string {
	return fmt.Sprintf("%08d%c", n, "TRWAGMYFPDXBNJZSQVHLCKE"[n%23])
}

func documentsFile(from, to int) []byte {
	var b bytes.Buffer
	b.WriteString("tipo;numero\n")
	for i := from; i < to; i++ {
		fmt.Fprintf(&b, "DNI;%s\n", dniNumber(i))
	}
	return b.Bytes()
}

func TestAssignPromotionCodesHappyFile(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		env.loadPool(t, "TV", 10)

		res := env.assignFile(t, env.putFile(t, "promotions/documents_happy.csv"), "user:42")
		require.Equal(t, 5, res.Assigned)
		require.False(t, res.AlarmRaised)
		require.Len(t, res.Rows, 5)
		require.Equal(t, usecases.AssignRow{Line: 2, DocumentType: "DNI", DocumentNumber: "12345678Z", Status: "assigned", Code: "TV-00000"}, res.Rows[0])
		require.Equal(t, "PASSPORT", res.Rows[4].DocumentType)

		audit, err := env.store.ListAudit(context.Background(), "", 100)
		require.NoError(t, err)
		require.Len(t, audit, 5)
		for _, e := range audit {
			require.Equal(t, "user:42", e.Actor)
		}

		again := env.assignFile(t, "promotions/documents_happy.csv", "user:43")
		require.Equal(t, 5, again.AlreadyAssigned)
		require.Zero(t, again.Assigned)
		require.Equal(t, "TV-00000", again.Rows[0].Code, "the existing code is reported")
	})
}

func TestAssignPromotionCodesRowStatuses(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		env.loadPool(t, "TV", 10)

		res := env.assignFile(t, env.putFile(t, "promotions/documents_formats.csv"), "user:1")
		want := []struct {
			status, number string
		}{
			{"assigned", "12345678Z"},
			{"assigned", "01234567L"},
			{"assigned", "X1234567L"},
			{"assigned", "PAA123456"},
			{"invalid", "12345678A"},
			{"invalid", "B12345678"},
			{"duplicate", "12345678Z"},
			{"invalid", "ÑA1234"},
		}
		require.Len(t, res.Rows, len(want))
		for i, w := range want {
			require.Equal(t, w.status, res.Rows[i].Status, "line %d", res.Rows[i].Line)
			require.Equal(t, w.number, res.Rows[i].DocumentNumber, "line %d", res.Rows[i].Line)
			require.Equal(t, i+2, res.Rows[i].Line)
		}
		require.Contains(t, res.Rows[4].Error, "expected Z for 12345678")
		require.Contains(t, res.Rows[6].Error, "repeats line 2")
		require.Equal(t, 4, res.Assigned)
		require.Equal(t, 3, res.Invalid)
		require.Equal(t, 1, res.Duplicate)
	})
}

func TestAssignPromotionCodesPoolRunsOut(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		ctx := context.Background()
		env.loadPool(t, "TV", 3)

		key := env.put(t, "docs.csv", documentsFile(1, 11))
		res := env.assignFile(t, key, "user:1")
		require.Equal(t, 3, res.Assigned)
		require.Equal(t, 7, res.NotAssignedNoCodes)
		require.True(t, res.AlarmRaised)
		require.Equal(t, "not_assigned_no_codes", res.Rows[9].Status)
		require.Contains(t, res.Rows[9].Error, "load more codes")

		alarm, err := env.store.OpenAlarm(ctx, "assign_promotion_codes:no_free_codes:TV")
		require.NoError(t, err)
		require.Equal(t, "No quedan códigos promocionales TV libres", alarm.Message)
		require.Contains(t, alarm.Details, "7 documentos se han quedado sin código")

		env.loadPool(t, "MORE", 10)
		res = env.assignFile(t, key, "user:1")
		require.Equal(t, 3, res.AlreadyAssigned)
		require.Equal(t, 7, res.Assigned)
		require.False(t, res.AlarmRaised)
	})
}

func TestAssignPromotionCodesConcurrentRuns(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		ctx := context.Background()
		const pool, runs = 50, 8
		env.loadPool(t, "TV", pool)

		// Run w takes documents 10w to 10w+29, so neighbouring files
		// overlap by 20 documents; together they name 100 documents, twice
		// the pool. Each file also repeats its first document.
		keys := make([]string, runs)
		for w := range runs {
			data := append(documentsFile(w*10, w*10+30), fmt.Sprintf("dni;%s\n", dniNumber(w*10))...)
			keys[w] = env.put(t, fmt.Sprintf("docs-%d.csv", w), data)
		}

		results := make([]usecases.AssignPromotionCodesResult, runs)
		errs := make([]error, runs)
		var wg sync.WaitGroup
		for w := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[w], errs[w] = env.assign.Handle(ctx, usecases.AssignPromotionCodesInput{FileKey: keys[w], UserID: fmt.Sprint("user:", w)})
			}()
		}
		wg.Wait()

		holder := map[string]string{} // code → document
		codeOf := map[string]string{} // document → code
		assigned := 0
		for w, res := range results {
			require.NoError(t, errs[w])
			require.Len(t, res.Rows, 31)
			require.Equal(t, 31, res.Assigned+res.AlreadyAssigned+res.Duplicate+res.Invalid+res.NotAssignedNoCodes, "totals of run %d", w)
			require.Equal(t, 1, res.Duplicate)
			assigned += res.Assigned
			for _, r := range res.Rows {
				if r.Status != "assigned" {
					continue
				}
				prev, taken := holder[r.Code]
				require.False(t, taken, "code %s given to %s and %s", r.Code, prev, r.DocumentNumber)
				holder[r.Code] = r.DocumentNumber
				_, twice := codeOf[r.DocumentNumber]
				require.False(t, twice, "document %s got two codes", r.DocumentNumber)
				codeOf[r.DocumentNumber] = r.Code
			}
		}
		require.Equal(t, pool, assigned, "more documents than codes, so the whole pool goes")

		stored, err := env.store.ListPromotionCodes(ctx, domain.PromotionTV, true)
		require.NoError(t, err)
		require.Len(t, stored, pool)
		for _, p := range stored {
			require.Equal(t, holder[p.Code], p.Document.Number)
		}
		free, err := env.store.CountFreePromotionCodes(ctx, domain.PromotionTV)
		require.NoError(t, err)
		require.Zero(t, free)
		audit, err := env.store.ListAudit(ctx, "", 1000)
		require.NoError(t, err)
		require.Len(t, audit, pool)
	})
}

func TestAssignPromotionCodesTenThousandRows(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		store := open(t)
		env := setupBulk(t, store)
		ctx := context.Background()

		codes := make([]string, 10_000)
		for i := range codes {
			codes[i] = fmt.Sprintf("TV-%06d", i)
		}
		_, err := store.AddPromotionCodes(ctx, domain.PromotionTV, codes, testNow)
		require.NoError(t, err)

		h, err := usecases.NewAssignPromotionCodes(usecases.AssignPromotionCodesConfig{}, env.blobs, store, store, nil, nil)
		require.NoError(t, err)
		res, err := h.Handle(ctx, usecases.AssignPromotionCodesInput{FileKey: env.put(t, "10k.csv", documentsFile(0, 10_000)), UserID: "user:1"})
		require.NoError(t, err)
		require.Equal(t, 10_000, res.Assigned)
		free, err := store.CountFreePromotionCodes(ctx, domain.PromotionTV)
		require.NoError(t, err)
		require.Zero(t, free)
	})
}

func TestAssignPromotionCodesRejectsInput(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		ctx := context.Background()
		_, err := env.assign.Handle(ctx, usecases.AssignPromotionCodesInput{FileKey: env.putFile(t, "promotions/documents_happy.csv")})
		require.ErrorIs(t, err, domain.ErrInvalid)
		require.ErrorContains(t, err, "user id")

		_, err = env.assign.Handle(ctx, usecases.AssignPromotionCodesInput{FileKey: env.put(t, "bad.csv", []byte("numero\n1\n")), UserID: "u"})
		require.True(t, domain.IsPermanent(err))
		require.ErrorContains(t, err, "missing required columns: document_type")
	})
}

func TestLoadPromotionCodes(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		env := setupBulk(t, open(t))
		ctx := context.Background()

		res, err := env.load.Handle(ctx, usecases.LoadPromotionCodesInput{FileKey: env.putFile(t, "promotions/codes_formats.txt")})
		require.NoError(t, err)
		require.Equal(t, 4, res.Added)
		require.Equal(t, []usecases.RejectedRow{
			{Line: 5, Column: "code", Value: "TV-FMT-0001", Error: "code TV-FMT-0001 repeats line 1",
				ReasonES: "el código TV-FMT-0001 repite la línea 1 y se carga una sola vez: borre esta línea"},
			{Line: 6, Column: "code", Value: "bad code!", Error: `invalid promotion code "bad code!": expected 4 to 64 letters, digits, - or _, such as TV-7F3K9Q`,
				ReasonES: "el código «bad code!» no es válido: use de 4 a 64 letras sin tilde, cifras, guiones o guiones bajos, " +
					"empezando por una letra o una cifra, como TV-7F3K9Q"},
		}, res.Rejected)

		res, err = env.load.Handle(ctx, usecases.LoadPromotionCodesInput{FileKey: env.putFile(t, "promotions/codes_happy.txt")})
		require.NoError(t, err)
		require.Equal(t, 20, res.Added)
		res, err = env.load.Handle(ctx, usecases.LoadPromotionCodesInput{FileKey: "promotions/codes_happy.txt"})
		require.NoError(t, err)
		require.Zero(t, res.Added)
		require.Equal(t, 20, res.AlreadyPresent)
		require.Contains(t, res.AlreadyPresentCodes, "TV-DEMO-0001")

		free, err := env.store.CountFreePromotionCodes(ctx, domain.PromotionTV)
		require.NoError(t, err)
		require.Equal(t, 24, free)
	})
}

func TestAssignBrokenConnectionRetries(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, open func(t *testing.T) bulkStore) {
		store := open(t)
		env := setupBulk(t, store)
		data := documentsFile(0, 200)
		env.put(t, "docs.csv", data)

		for _, limit := range []int64{5, int64(len(data) / 2)} {
			h, err := usecases.NewAssignPromotionCodes(usecases.AssignPromotionCodesConfig{}, failingBlobs{env.blobs, limit},
				store, store, nil, nil)
			require.NoError(t, err)
			_, err = h.Handle(context.Background(), usecases.AssignPromotionCodesInput{FileKey: "docs.csv", UserID: "ana"})
			require.ErrorContains(t, err, "connection reset")
			require.False(t, domain.IsPermanent(err), "a broken connection after %d bytes is retried", limit)
		}
	})
}
