// Package blobtest is the contract suite of [ports.BlobStore]. A blob-store
// adapter, ours or a host application's, proves that it behaves by calling
// [Run] from its tests with a function that returns an empty store:
//
//	func TestContract(t *testing.T) {
//		blobtest.Run(t, func(t *testing.T) ports.BlobStore { return newStore(t) }, blobtest.Options{})
//	}
//
// The suite covers put, get, delete, exists and list, a missing key and the
// key rules. It also writes one large object that must be streamed. The
// object is generated while the store reads it and compared while the suite
// reads it back, and the growth of the Go heap is measured during both.
package blobtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// Opener returns an empty store that lives until t ends.
type Opener func(t *testing.T) ports.BlobStore

// Options tunes the suite for one adapter. The zero value runs every check
// with the defaults.
type Options struct {
	// LargeObjectSize is the size in bytes of the streamed object. Default
	// 64 MiB; values under 50 MB are raised to 50 MB.
	LargeObjectSize int64
	// MaxHeapGrowth is how much the Go heap may grow over its level before
	// the large put or get. Default 24 MiB, which leaves room for one upload
	// part of a few MiB and the HTTP buffers of an S3 client.
	MaxHeapGrowth uint64
	// SkipHeapCheck still streams the large object but does not measure the
	// heap. Set it only when the store's server runs inside the test process
	// and keeps objects in memory (such as gofakes3 with its memory backend),
	// because that server's memory would be counted as the adapter's.
	SkipHeapCheck bool
}

func (o Options) withDefaults() Options {
	const minLarge = 50_000_000
	if o.LargeObjectSize == 0 {
		o.LargeObjectSize = 64 << 20
	}
	if o.LargeObjectSize < minLarge {
		o.LargeObjectSize = minLarge
	}
	if o.MaxHeapGrowth == 0 {
		o.MaxHeapGrowth = 24 << 20
	}
	return o
}

// InvalidKeys are keys that every store rejects with domain.ErrInvalid.
var InvalidKeys = []string{
	"",
	"/etc/passwd",
	"../outside.pdf",
	"iccs/../../outside.pdf",
	"iccs/..",
	"..",
	".",
	"iccs/./a.pdf",
	"iccs//a.pdf",
	"iccs/",
	`iccs\a.pdf`,
	`..\outside.pdf`,
	"iccs/a\x00.pdf",
}

// heapMu serializes the large-object checks of every store in the process,
// since the heap they measure is shared.
var heapMu sync.Mutex

// Run runs the whole suite against the stores that open returns.
func Run(t *testing.T, open Opener, opts Options) {
	opts = opts.withDefaults()
	ctx := context.Background()

	t.Run("PutGet", func(t *testing.T) {
		t.Parallel()
		s := open(t)

		require.NoError(t, s.Put(ctx, "iccs/8934071234567890125.pdf", strings.NewReader("%PDF-1.4 one")))
		require.Equal(t, "%PDF-1.4 one", read(t, s, "iccs/8934071234567890125.pdf"))
	})

	t.Run("PutReplaces", func(t *testing.T) {
		t.Parallel()
		s := open(t)

		require.NoError(t, s.Put(ctx, "a.txt", strings.NewReader("first version, longer")))
		require.NoError(t, s.Put(ctx, "a.txt", strings.NewReader("second")))
		require.Equal(t, "second", read(t, s, "a.txt"))
	})

	t.Run("EmptyObject", func(t *testing.T) {
		t.Parallel()
		s := open(t)

		require.NoError(t, s.Put(ctx, "empty", strings.NewReader("")))
		require.Empty(t, read(t, s, "empty"))
		ok, err := s.Exists(ctx, "empty")
		require.NoError(t, err)
		require.True(t, ok)
	})

	t.Run("PutReaderErrorKeepsOld", func(t *testing.T) {
		t.Parallel()
		s := open(t)

		require.NoError(t, s.Put(ctx, "k", strings.NewReader("old")))
		failing := io.MultiReader(strings.NewReader("partial new bytes"), errReader{errors.New("connection reset")})
		err := s.Put(ctx, "k", failing)
		require.ErrorContains(t, err, "connection reset")
		require.Equal(t, "old", read(t, s, "k"), "a failed put leaves the old object")
	})

	t.Run("PutReaderErrorLeavesNothing", func(t *testing.T) {
		t.Parallel()
		s := open(t)

		err := s.Put(ctx, "new/k", io.MultiReader(strings.NewReader("partial"), errReader{errors.New("disk gone")}))
		require.Error(t, err)
		ok, err := s.Exists(ctx, "new/k")
		require.NoError(t, err)
		require.False(t, ok)
		list, err := s.List(ctx, "")
		require.NoError(t, err)
		require.Empty(t, list, "no temporary object is visible")
	})

	t.Run("GetMissingNotFound", func(t *testing.T) {
		t.Parallel()
		s := open(t)

		_, err := s.Get(ctx, "missing.pdf")
		require.ErrorIs(t, err, domain.ErrNotFound)
		require.ErrorContains(t, err, "missing.pdf")
	})

	t.Run("ExistsAndDelete", func(t *testing.T) {
		t.Parallel()
		s := open(t)

		ok, err := s.Exists(ctx, "d/x.pdf")
		require.NoError(t, err)
		require.False(t, ok)

		require.NoError(t, s.Put(ctx, "d/x.pdf", strings.NewReader("x")))
		ok, err = s.Exists(ctx, "d/x.pdf")
		require.NoError(t, err)
		require.True(t, ok)

		require.NoError(t, s.Delete(ctx, "d/x.pdf"))
		ok, err = s.Exists(ctx, "d/x.pdf")
		require.NoError(t, err)
		require.False(t, ok)
		_, err = s.Get(ctx, "d/x.pdf")
		require.ErrorIs(t, err, domain.ErrNotFound)

		require.NoError(t, s.Delete(ctx, "d/x.pdf"), "deleting a missing key is not an error")
	})

	t.Run("PrefixIsNotAnObject", func(t *testing.T) {
		t.Parallel()
		s := open(t)

		require.NoError(t, s.Put(ctx, "dir/file", strings.NewReader("x")))
		ok, err := s.Exists(ctx, "dir")
		require.NoError(t, err)
		require.False(t, ok, "the folder of a key is not an object")
		_, err = s.Get(ctx, "dir")
		require.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("List", func(t *testing.T) {
		t.Parallel()
		s := open(t)

		keys := []string{"iccs/b.pdf", "iccs/a.pdf", "iccs/sub/c.pdf", "iccs.txt", "zips/batch.zip", "iccs-old/x.pdf"}
		for i, k := range keys {
			require.NoError(t, s.Put(ctx, k, strings.NewReader(strings.Repeat("x", i+1))))
		}

		all, err := s.List(ctx, "")
		require.NoError(t, err)
		require.Equal(t, []string{"iccs-old/x.pdf", "iccs.txt", "iccs/a.pdf", "iccs/b.pdf", "iccs/sub/c.pdf", "zips/batch.zip"}, listKeys(all))

		iccs, err := s.List(ctx, "iccs/")
		require.NoError(t, err)
		require.Equal(t, []ports.BlobInfo{
			{Key: "iccs/a.pdf", Size: 2},
			{Key: "iccs/b.pdf", Size: 1},
			{Key: "iccs/sub/c.pdf", Size: 3},
		}, iccs)

		partial, err := s.List(ctx, "iccs")
		require.NoError(t, err)
		require.Equal(t, []string{"iccs-old/x.pdf", "iccs.txt", "iccs/a.pdf", "iccs/b.pdf", "iccs/sub/c.pdf"}, listKeys(partial),
			"a prefix is a string prefix, not a folder")

		none, err := s.List(ctx, "nothing/")
		require.NoError(t, err)
		require.Empty(t, none)
	})

	t.Run("InvalidKeysRejected", func(t *testing.T) {
		t.Parallel()
		s := open(t)

		for _, key := range InvalidKeys {
			err := s.Put(ctx, key, strings.NewReader("x"))
			require.ErrorIs(t, err, domain.ErrInvalid, "put %q", key)
			_, err = s.Get(ctx, key)
			require.ErrorIs(t, err, domain.ErrInvalid, "get %q", key)
			_, err = s.Exists(ctx, key)
			require.ErrorIs(t, err, domain.ErrInvalid, "exists %q", key)
			err = s.Delete(ctx, key)
			require.ErrorIs(t, err, domain.ErrInvalid, "delete %q", key)
		}
		list, err := s.List(ctx, "")
		require.NoError(t, err)
		require.Empty(t, list, "a rejected put stores nothing")
	})

	t.Run("ConcurrentPuts", func(t *testing.T) {
		t.Parallel()
		s := open(t)

		const writers = 8
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.Put(ctx, "same", strings.NewReader(strings.Repeat(fmt.Sprint(i), 10_000)))
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}

		got := read(t, s, "same")
		require.Len(t, got, 10_000)
		require.Equal(t, strings.Repeat(got[:1], 10_000), got, "one writer's object, whole")
	})

	t.Run("LargeObjectStreamed", func(t *testing.T) {
		// Not parallel: the heap is shared with the other subtests.
		s := open(t)
		testLargeObject(t, s, opts)
	})
}

func testLargeObject(t *testing.T, s ports.BlobStore, opts Options) {
	ctx := context.Background()
	heapMu.Lock()
	defer heapMu.Unlock()

	// A low GC target makes the heap track live memory closely, so that a
	// store holding the object would show it while garbage would not.
	defer debug.SetGCPercent(debug.SetGCPercent(10))

	var probe *heapProbe
	if !opts.SkipHeapCheck {
		probe = newHeapProbe()
	}
	src := newGenerator(opts.LargeObjectSize, probe)
	require.NoError(t, s.Put(ctx, "large/object.bin", src))
	require.Equal(t, opts.LargeObjectSize, src.read, "the store read the whole object")
	if probe != nil {
		t.Logf("put of %d bytes: heap grew by at most %d bytes", opts.LargeObjectSize, probe.maxGrowth)
		require.LessOrEqualf(t, probe.maxGrowth, opts.MaxHeapGrowth,
			"put of %d bytes grew the heap by %d bytes; the store must stream the object", opts.LargeObjectSize, probe.maxGrowth)
	}

	list, err := s.List(ctx, "large/")
	require.NoError(t, err)
	require.Equal(t, []ports.BlobInfo{{Key: "large/object.bin", Size: opts.LargeObjectSize}}, list)

	if !opts.SkipHeapCheck {
		probe = newHeapProbe()
	}
	rc, err := s.Get(ctx, "large/object.bin")
	require.NoError(t, err)
	n, err := compareStream(rc, newGenerator(opts.LargeObjectSize, nil), probe)
	require.NoError(t, rc.Close())
	require.NoError(t, err)
	require.Equal(t, opts.LargeObjectSize, n)
	if probe != nil {
		t.Logf("get of %d bytes: heap grew by at most %d bytes", opts.LargeObjectSize, probe.maxGrowth)
		require.LessOrEqualf(t, probe.maxGrowth, opts.MaxHeapGrowth,
			"get of %d bytes grew the heap by %d bytes; the store must stream the object", opts.LargeObjectSize, probe.maxGrowth)
	}

	require.NoError(t, s.Delete(ctx, "large/object.bin"))
}

// heapProbe records the largest growth of the live heap over its level when
// the probe was made.
type heapProbe struct {
	baseline  uint64
	maxGrowth uint64
	sinceLast int64
}

// probeEvery is how many bytes pass between two heap samples. Each sample
// stops the world for a moment, so they are spaced out.
const probeEvery = 2 << 20

func newHeapProbe() *heapProbe {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return &heapProbe{baseline: m.HeapAlloc}
}

func (p *heapProbe) advance(n int) {
	if p == nil {
		return
	}
	p.sinceLast += int64(n)
	if p.sinceLast < probeEvery {
		return
	}
	p.sinceLast = 0
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if m.HeapAlloc > p.baseline && m.HeapAlloc-p.baseline > p.maxGrowth {
		p.maxGrowth = m.HeapAlloc - p.baseline
	}
}

// generator is an io.Reader of size pseudo-random bytes, the same for every
// generator, made on demand so that the test never holds the object itself.
// Random bytes keep a store or a transport from compressing them away.
type generator struct {
	size  int64
	read  int64
	rng   *rand.ChaCha8
	probe *heapProbe
}

func newGenerator(size int64, probe *heapProbe) *generator {
	return &generator{size: size, rng: rand.NewChaCha8([32]byte{'t', 'e', 'l', 'c', 'o'}), probe: probe}
}

func (g *generator) Read(p []byte) (int, error) {
	if g.read >= g.size {
		return 0, io.EOF
	}
	if rest := g.size - g.read; int64(len(p)) > rest {
		p = p[:rest]
	}
	_, _ = g.rng.Read(p)
	g.read += int64(len(p))
	g.probe.advance(len(p))
	return len(p), nil
}

// compareStream reads r to the end and checks it against want, chunk by
// chunk. It returns the number of bytes read from r.
func compareStream(r io.Reader, want io.Reader, probe *heapProbe) (int64, error) {
	got := make([]byte, 64<<10)
	expected := make([]byte, 64<<10)
	var total int64
	for {
		n, err := io.ReadFull(r, got)
		if n > 0 {
			if _, werr := io.ReadFull(want, expected[:n]); werr != nil {
				return total, fmt.Errorf("object is longer than the %d bytes written", total)
			}
			if !bytes.Equal(got[:n], expected[:n]) {
				return total, fmt.Errorf("object differs from what was written within bytes %d to %d", total, total+int64(n))
			}
			total += int64(n)
			probe.advance(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			if m, _ := want.Read(expected[:1]); m > 0 {
				return total, fmt.Errorf("object is shorter than written: only %d bytes", total)
			}
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

func read(t *testing.T, s ports.BlobStore, key string) string {
	t.Helper()
	rc, err := s.Get(context.Background(), key)
	require.NoError(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return string(b)
}

func listKeys(infos []ports.BlobInfo) []string {
	keys := make([]string, 0, len(infos))
	for _, info := range infos {
		keys = append(keys, info.Key)
	}
	return keys
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
