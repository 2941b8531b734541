// Package localfs is a blob store on the local disk: each object is a file
// under a root folder, at the path its key names.
//
// Keys are checked before any file is touched (see [ValidateKey]), and every
// file operation goes through an [os.Root], so that neither a crafted key nor
// a symbolic link planted under the root reaches a file outside it. A put
// writes a temporary file in a reserved folder under the root, syncs it and
// renames it into place, so a reader sees the old object or the new one and
// never a partial write.
package localfs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"syscall"

	"github.com/google/wire"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// ProviderSet builds a *Store from a Config and provides it as a
// ports.BlobStore.
var ProviderSet = wire.NewSet(New, wire.Bind(new(ports.BlobStore), new(*Store)))

var _ ports.BlobStore = (*Store)(nil)

// TempDir is the folder under the root that holds files being written. Keys
// inside it are rejected and List leaves it out.
const TempDir = ".incoming"

// errNotDir is the error of a path that goes through a file as if it were a
// folder, such as "a/b" when "a" is an object.
var errNotDir = syscall.ENOTDIR

// Config configures the local blob store.
type Config struct {
	// Root is the folder that holds the objects. It is created when missing.
	// Required.
	Root string
	// DirPerm is the mode of the folders the store creates. Default 0o750.
	DirPerm fs.FileMode
	// FilePerm is the mode of the object files. Default 0o640, because eSIM
	// PDFs carry activation codes.
	FilePerm fs.FileMode
}

// WithDefaults returns a copy with the defaults filled in.
func (c Config) WithDefaults() Config {
	if c.DirPerm == 0 {
		c.DirPerm = 0o750
	}
	if c.FilePerm == 0 {
		c.FilePerm = 0o640
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	if strings.TrimSpace(c.Root) == "" {
		return errors.New("localfs config: Root is required, for example /var/lib/telcojobs/blobs")
	}
	if c.DirPerm&^fs.ModePerm != 0 || c.DirPerm&0o700 != 0o700 {
		return fmt.Errorf("localfs config: DirPerm %o must be permission bits that include 0700", c.DirPerm)
	}
	if c.FilePerm&^fs.ModePerm != 0 || c.FilePerm&0o600 != 0o600 {
		return fmt.Errorf("localfs config: FilePerm %o must be permission bits that include 0600", c.FilePerm)
	}
	return nil
}

// Store is a ports.BlobStore on a folder. It is safe for concurrent use.
type Store struct {
	root *os.Root
	cfg  Config
}

// New creates the root folder when missing and opens it.
func New(cfg Config) (*Store, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Root, cfg.DirPerm); err != nil {
		return nil, fmt.Errorf("create blob root %q: %w", cfg.Root, err)
	}
	root, err := os.OpenRoot(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("open blob root %q: %w", cfg.Root, err)
	}
	if err := root.MkdirAll(TempDir, cfg.DirPerm); err != nil {
		_ = root.Close()
		return nil, fmt.Errorf("create %s in blob root %q: %w", TempDir, cfg.Root, err)
	}
	return &Store{root: root, cfg: cfg}, nil
}

// Close releases the root folder.
func (s *Store) Close() error { return s.root.Close() }

// ValidateKey applies the key rules of ports.BlobStore: a non-empty relative
// slash-separated path whose segments are neither empty, "." nor "..", with
// no backslash or NUL byte, outside the reserved TempDir folder.
func ValidateKey(key string) error {
	if err := ports.ValidateBlobKey(key); err != nil {
		return err
	}
	if key == TempDir || strings.HasPrefix(key, TempDir+"/") {
		return domain.Invalid("blob key", key, "must not be in the reserved folder "+TempDir)
	}
	return nil
}

// Put implements ports.BlobStore. It copies r into a temporary file, syncs
// it to disk and renames it over the key.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if dir := path.Dir(key); dir != "." {
		if err := s.root.MkdirAll(dir, s.cfg.DirPerm); err != nil {
			return fmt.Errorf("put blob %q: create folder: %w", key, err)
		}
	}

	tmp, f, err := s.createTemp()
	if err != nil {
		return fmt.Errorf("put blob %q: %w", key, err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = f.Close()
			_ = s.root.Remove(tmp)
		}
	}()

	if _, err := io.Copy(f, contextReader{ctx: ctx, r: r}); err != nil {
		return fmt.Errorf("put blob %q: %w", key, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("put blob %q: sync: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("put blob %q: close: %w", key, err)
	}
	if err := s.root.Rename(tmp, key); err != nil {
		_ = s.root.Remove(tmp)
		return fmt.Errorf("put blob %q: rename into place: %w", key, err)
	}
	committed = true
	return nil
}

func (s *Store) createTemp() (string, *os.File, error) {
	for range 10 {
		var b [12]byte
		_, _ = rand.Read(b[:])
		name := TempDir + "/" + hex.EncodeToString(b[:])
		f, err := s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, s.cfg.FilePerm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", nil, fmt.Errorf("create temporary file: %w", err)
		}
		return name, f, nil
	}
	return "", nil, errors.New("create temporary file: ten random names were taken")
}

// Get implements ports.BlobStore.
func (s *Store) Get(_ context.Context, key string) (io.ReadCloser, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	f, err := s.root.Open(key)
	if err != nil {
		return nil, s.err("get", key, err)
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, s.err("get", key, err)
	}
	if !info.Mode().IsRegular() {
		_ = f.Close()
		return nil, fmt.Errorf("get blob %q: %w", key, domain.ErrNotFound)
	}
	return f, nil
}

// Delete implements ports.BlobStore. Empty folders are left in place,
// because removing one could race with a put that has just created it.
func (s *Store) Delete(_ context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	info, err := s.root.Lstat(key)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir) {
		return nil
	}
	if err != nil {
		return s.err("delete", key, err)
	}
	if info.IsDir() {
		return nil
	}
	if err := s.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return s.err("delete", key, err)
	}
	return nil
}

// Exists implements ports.BlobStore.
func (s *Store) Exists(_ context.Context, key string) (bool, error) {
	if err := ValidateKey(key); err != nil {
		return false, err
	}
	info, err := s.root.Stat(key)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir) {
		return false, nil
	}
	if err != nil {
		return false, s.err("check blob", key, err)
	}
	return info.Mode().IsRegular(), nil
}

// List implements ports.BlobStore. It walks only the deepest folder that the
// prefix names, then filters by the whole prefix.
func (s *Store) List(ctx context.Context, prefix string) ([]ports.BlobInfo, error) {
	if strings.ContainsAny(prefix, "\\\x00") || strings.HasPrefix(prefix, "/") {
		return nil, domain.Invalid("blob prefix", prefix, "must be the start of a relative key")
	}
	dir := "."
	if i := strings.LastIndex(prefix, "/"); i > 0 {
		dir = prefix[:i]
	}
	if dir != "." {
		if err := ValidateKey(dir); err != nil {
			return nil, domain.Invalid("blob prefix", prefix, "must be the start of a valid key")
		}
	}

	var out []ports.BlobInfo
	err := fs.WalkDir(s.root.FS(), dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir) {
				return nil
			}
			return err
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if d.IsDir() {
			if p == TempDir {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(p, prefix) {
			return nil
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted while listing
		}
		if err != nil {
			return err
		}
		out = append(out, ports.BlobInfo{Key: p, Size: info.Size()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list blobs with prefix %q: %w", prefix, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (s *Store) err(op, key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir) {
		return fmt.Errorf("%s blob %q: %w", op, key, domain.ErrNotFound)
	}
	return fmt.Errorf("%s blob %q: %w", op, key, err)
}

// contextReader stops a copy when ctx is cancelled.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
