package localfs_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/localfs"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/ports/blobtest"
)

func setup(t *testing.T) (*localfs.Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "blobs")
	s, err := localfs.New(localfs.Config{Root: dir})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s, dir
}

func TestContract(t *testing.T) {
	t.Parallel()
	blobtest.Run(t, func(t *testing.T) ports.BlobStore {
		s, _ := setup(t)
		return s
	}, blobtest.Options{})
}

func TestObjectsAreFiles(t *testing.T) {
	t.Parallel()
	s, dir := setup(t)
	ctx := context.Background()

	require.NoError(t, s.Put(ctx, "iccs/8934071234567890125.pdf", strings.NewReader("%PDF-")))
	b, err := os.ReadFile(filepath.Join(dir, "iccs", "8934071234567890125.pdf"))
	require.NoError(t, err)
	require.Equal(t, "%PDF-", string(b))

	info, err := os.Stat(filepath.Join(dir, "iccs", "8934071234567890125.pdf"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o640), info.Mode().Perm())

	temps, err := os.ReadDir(filepath.Join(dir, localfs.TempDir))
	require.NoError(t, err)
	require.Empty(t, temps, "no temporary file is left behind")
}

func TestSymlinkOutsideRootRejected(t *testing.T) {
	t.Parallel()
	s, dir := setup(t)
	ctx := context.Background()

	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o600))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link")))

	_, err := s.Get(ctx, "link/secret.txt")
	require.Error(t, err)
	err = s.Put(ctx, "link/planted.txt", strings.NewReader("x"))
	require.Error(t, err)
	_, err = os.Stat(filepath.Join(outside, "planted.txt"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestReservedFolderRejected(t *testing.T) {
	t.Parallel()
	s, _ := setup(t)
	err := s.Put(context.Background(), localfs.TempDir+"/x", strings.NewReader("x"))
	require.ErrorIs(t, err, domain.ErrInvalid)
}

func TestPutCancelled(t *testing.T) {
	t.Parallel()
	s, _ := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	err := s.Put(ctx, "k", strings.NewReader("x"))
	require.ErrorIs(t, err, context.Canceled)
	ok, err := s.Exists(context.Background(), "k")
	require.NoError(t, err)
	require.False(t, ok)
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		cfg   localfs.Config
		field string
	}{
		{"MissingRoot", localfs.Config{}, "Root"},
		{"DirPermWithoutOwner", localfs.Config{Root: "x", DirPerm: 0o055}, "DirPerm"},
		{"FilePermNotPerm", localfs.Config{Root: "x", FilePerm: os.ModeDir | 0o600}, "FilePerm"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.cfg.WithDefaults().Validate()
			require.ErrorContains(t, err, tc.field)
		})
	}
}
