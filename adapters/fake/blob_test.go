package fake_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/fake"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/ports/blobtest"
)

func TestBlobStoreContract(t *testing.T) {
	t.Parallel()
	// The fake keeps objects in memory by design, so the heap is not measured.
	blobtest.Run(t, func(t *testing.T) ports.BlobStore { return fake.NewBlobStore() }, blobtest.Options{SkipHeapCheck: true})
}

func TestBlobStoreFailPut(t *testing.T) {
	t.Parallel()
	s := fake.NewBlobStore()
	s.FailPut = func(key string) error {
		if key == "b" {
			return errors.New("disk full")
		}
		return nil
	}
	ctx := context.Background()

	require.NoError(t, s.Put(ctx, "a", strings.NewReader("x")))
	require.ErrorContains(t, s.Put(ctx, "b", strings.NewReader("x")), "disk full")
	ok, err := s.Exists(ctx, "b")
	require.NoError(t, err)
	require.False(t, ok)
}
