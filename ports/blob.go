package ports

import (
	"context"
	"io"
	"strings"

	"github.com/telcojobs/telcojobs/domain"
)

// BlobInfo describes a stored object.
type BlobInfo struct {
	Key  string
	Size int64
}

// BlobStore keeps files such as uploaded CSV files, ZIP archives and eSIM
// PDFs. Keys are slash-separated relative paths ("iccs/8934....pdf"). An
// adapter rejects a key that is empty, absolute, or contains "..", a
// backslash or a NUL byte, with an error matching domain.ErrInvalid. A
// missing key is domain.ErrNotFound.
type BlobStore interface {
	// Put stores the bytes of r under key, replacing any object there. It
	// streams: the object is never held whole in memory. A reader of the key
	// gets the old object or the new one, never a partial write.
	Put(ctx context.Context, key string, r io.Reader) error
	// Get opens the object for reading. The caller closes it.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the object. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// Exists reports whether the object exists.
	Exists(ctx context.Context, key string) (bool, error)
	// List returns the objects whose keys start with prefix, ordered by key.
	List(ctx context.Context, prefix string) ([]BlobInfo, error)
}

// ValidateBlobKey applies the key rules of BlobStore, which every adapter
// shares: a non-empty relative slash-separated path whose segments are
// neither empty, "." nor "..", with no backslash or NUL byte. A rejected key
// is a *domain.ValidationError.
func ValidateBlobKey(key string) error {
	switch {
	case key == "":
		return domain.Invalid("blob key", key, "must not be empty")
	case strings.HasPrefix(key, "/"):
		return domain.Invalid("blob key", key, "must be a relative path such as iccs/8934071234567890125.pdf")
	case strings.ContainsAny(key, "\\\x00"):
		return domain.Invalid("blob key", key, "must not contain a backslash or a NUL byte")
	}
	for _, segment := range strings.Split(key, "/") {
		if segment == "" || segment == "." || segment == ".." {
			return domain.Invalid("blob key", key, "must not contain empty, . or .. path segments")
		}
	}
	return nil
}
