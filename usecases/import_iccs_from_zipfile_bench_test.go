package usecases_test

import (
	"archive/zip"
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/adapters/localfs"
	"github.com/telcojobs/telcojobs/adapters/sqlite/sqlitetest"
	"github.com/telcojobs/telcojobs/usecases"
)

// benchPDFSize is the size of each generated PDF, about that of a small
// eSIM activation PDF.
const benchPDFSize = 8 << 10

// writeBenchZip writes a ZIP of n PDFs with valid ICCIDs to a file,
// streaming, and returns its path.
func writeBenchZip(b *testing.B, dir string, n int) string {
	b.Helper()
	p := filepath.Join(dir, fmt.Sprintf("esims-%d.zip", n))
	f, err := os.Create(p)
	require.NoError(b, err)
	bw := bufio.NewWriter(f)
	w := zip.NewWriter(bw)
	filler := []byte(strings.Repeat("0123456789abcdef", benchPDFSize/16))
	for i := range n {
		iccid := validICCID(i)
		fw, err := w.Create("ICC_" + iccid + "F.pdf")
		require.NoError(b, err)
		_, err = fw.Write(pdfBytes(iccid))
		require.NoError(b, err)
		_, err = fw.Write(filler[:benchPDFSize-len(pdfBytes(iccid))])
		require.NoError(b, err)
	}
	require.NoError(b, w.Close())
	require.NoError(b, bw.Flush())
	require.NoError(b, f.Close())
	return p
}

// importOnce imports the ZIP at zipPath into a new SQLite database and a
// new local blob folder under dir.
func importOnce(b *testing.B, dir, zipPath string) usecases.ImportIccsFromZipfileResult {
	b.Helper()
	ctx := context.Background()
	store := sqlitetest.Open(b)
	blobs, err := localfs.New(localfs.Config{Root: filepath.Join(dir, "blobs")})
	require.NoError(b, err)
	defer blobs.Close()

	src, err := os.Open(zipPath)
	require.NoError(b, err)
	require.NoError(b, blobs.Put(ctx, "uploads/esims.zip", src))
	require.NoError(b, src.Close())

	h, err := usecases.NewImportIccsFromZipfile(usecases.ImportIccsFromZipfileConfig{TempDir: dir}, blobs, store, store,
		fake.NewClock(iccNow), nil)
	require.NoError(b, err)
	res, err := h.Handle(ctx, usecases.ImportIccsFromZipfileInput{ZipKey: "uploads/esims.zip"})
	require.NoError(b, err)
	return res
}

// unzipOnce is the baseline: it extracts every entry of the ZIP to its own
// file with archive/zip and os.WriteFile, without a database, a blob store
// or any check.
func unzipOnce(b *testing.B, dir, zipPath string) {
	b.Helper()
	zr, err := zip.OpenReader(zipPath)
	require.NoError(b, err)
	defer zr.Close()
	out := filepath.Join(dir, "unzipped")
	require.NoError(b, os.MkdirAll(out, 0o750))
	for i, f := range zr.File {
		rc, err := f.Open()
		require.NoError(b, err)
		data, err := io.ReadAll(rc)
		require.NoError(b, err)
		require.NoError(b, rc.Close())
		require.NoError(b, os.WriteFile(filepath.Join(out, strconv.Itoa(i)+".pdf"), data, 0o640))
	}
}

// BenchmarkImportIccs imports a ZIP of 10,000 eSIM PDFs on SQLite with the
// local blob store, next to the baseline of a plain unzip of the same ZIP.
//
//	go test -run '^$' -bench 'BenchmarkImportIccs$' -benchtime 3x ./usecases
func BenchmarkImportIccs(b *testing.B) {
	const entries = 10_000
	zipPath := writeBenchZip(b, b.TempDir(), entries)

	b.Run("Baseline", func(b *testing.B) {
		for b.Loop() {
			unzipOnce(b, b.TempDir(), zipPath)
		}
		b.ReportMetric(float64(entries*b.N)/b.Elapsed().Seconds(), "entries/s")
	})
	b.Run("Import", func(b *testing.B) {
		for b.Loop() {
			res := importOnce(b, b.TempDir(), zipPath)
			require.Equal(b, entries, res.Imported)
		}
		b.ReportMetric(float64(entries*b.N)/b.Elapsed().Seconds(), "iccs/s")
	})
}

// BenchmarkImportIccsMemory imports a ZIP of 100,000 eSIM PDFs once and
// reports the peak Go heap, sampled every 10 ms during the import, and the
// peak resident set size of the process (VmHWM, reset before the import).
//
//	go test -run '^$' -bench 'BenchmarkImportIccsMemory' -benchtime 1x -timeout 60m ./usecases
func BenchmarkImportIccsMemory(b *testing.B) {
	const entries = 100_000
	dir := b.TempDir()
	zipPath := writeBenchZip(b, dir, entries)

	for b.Loop() {
		runtime.GC()
		resetPeakRSS()
		stop := make(chan struct{})
		var peakHeap uint64
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			var m runtime.MemStats
			for {
				runtime.ReadMemStats(&m)
				peakHeap = max(peakHeap, m.HeapInuse)
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
		}()

		res := importOnce(b, b.TempDir(), zipPath)
		close(stop)
		wg.Wait()
		require.Equal(b, entries, res.Imported)
		b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(peakRSS())/(1<<10), "peak-rss-MiB")
		b.ReportMetric(float64(entries)/b.Elapsed().Seconds(), "iccs/s")
	}
}

// resetPeakRSS resets VmHWM of this process (Linux 4.0 and later).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns VmHWM in KiB, or 0 where /proc is missing.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kib
		}
	}
	return 0
}
