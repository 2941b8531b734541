package fake

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

var _ ports.BlobStore = (*BlobStore)(nil)

// BlobStore is an in-memory ports.BlobStore. It holds whole objects in
// memory, so it suits small test files only.
type BlobStore struct {
	mu      sync.Mutex
	objects map[string][]byte
	// FailPut, when set, is called before each Put; an error it returns
	// fails that Put. Tests use it to fail a write half-way through a job.
	FailPut func(key string) error
}

// NewBlobStore returns an empty store.
func NewBlobStore() *BlobStore { return &BlobStore{objects: map[string][]byte{}} }

// ValidateKey applies the key rules of ports.BlobStore.
func ValidateKey(key string) error { return ports.ValidateBlobKey(key) }

// Put implements ports.BlobStore.
func (s *BlobStore) Put(_ context.Context, key string, r io.Reader) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if s.FailPut != nil {
		if err := s.FailPut(key); err != nil {
			return err
		}
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[key] = b
	return nil
}

// Get implements ports.BlobStore.
func (s *BlobStore) Get(_ context.Context, key string) (io.ReadCloser, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.objects[key]
	if !ok {
		return nil, fmt.Errorf("blob %q: %w", key, domain.ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// Delete implements ports.BlobStore.
func (s *BlobStore) Delete(_ context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.objects, key)
	return nil
}

// Exists implements ports.BlobStore.
func (s *BlobStore) Exists(_ context.Context, key string) (bool, error) {
	if err := ValidateKey(key); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.objects[key]
	return ok, nil
}

// List implements ports.BlobStore.
func (s *BlobStore) List(_ context.Context, prefix string) ([]ports.BlobInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ports.BlobInfo
	for k, b := range s.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, ports.BlobInfo{Key: k, Size: int64(len(b))})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}
