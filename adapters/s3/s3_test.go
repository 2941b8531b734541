package s3_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/s3"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
	"github.com/telcojobs/telcojobs/ports/blobtest"
)

// Environment variables naming the S3 server that scripts/test.sh starts.
const (
	envEndpoint  = "TELCOJOBS_TEST_S3_ENDPOINT"
	envAccessKey = "TELCOJOBS_TEST_S3_ACCESS_KEY"
	envSecretKey = "TELCOJOBS_TEST_S3_SECRET_KEY"
)

// fakeServer starts gofakes3 on 127.0.0.1, wrapped by wrap when it is not
// nil, and returns its URL.
func fakeServer(t *testing.T, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	handler := gofakes3.New(s3mem.New()).Server()
	if wrap != nil {
		handler = wrap(handler)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv.URL
}

// newStore opens a store on a new bucket of the server at endpoint and
// removes the bucket when t ends.
func newStore(t *testing.T, cfg s3.Config) *s3.Store {
	t.Helper()
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	cfg.Bucket = "telcojobs-test-" + hex.EncodeToString(b[:])
	cfg.UsePathStyle = true
	cfg.Region = "us-east-1"

	store, err := s3.New(ctx, cfg)
	require.NoError(t, err)
	require.NoError(t, store.CreateBucket(ctx))
	t.Cleanup(func() { removeBucket(t, store, cfg.Bucket) })
	return store
}

func removeBucket(t *testing.T, store *s3.Store, bucket string) {
	ctx := context.Background()
	client := store.Client()
	pages := awss3.NewListObjectsV2Paginator(client, &awss3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Logf("list bucket %s for removal: %v", bucket, err)
			return
		}
		for _, obj := range page.Contents {
			_, _ = client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(bucket), Key: obj.Key})
		}
	}
	if _, err := client.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Logf("remove bucket %s: %v", bucket, err)
	}
}

func fakeConfig(endpoint string) s3.Config {
	return s3.Config{Endpoint: endpoint, AccessKeyID: "test", SecretAccessKey: "test-secret"}
}

// TestContractGofakes3 runs the contract suite on gofakes3, in the test
// process. Its memory backend keeps every object in this process, so the
// heap is measured only against the real server below.
func TestContractGofakes3(t *testing.T) {
	endpoint := fakeServer(t, nil)
	blobtest.Run(t, func(t *testing.T) ports.BlobStore {
		return newStore(t, fakeConfig(endpoint))
	}, blobtest.Options{SkipHeapCheck: true})
}

// TestContractVersitygw runs the contract suite on the versitygw server that
// scripts/test.sh starts. Without it the test skips, except under CI.
func TestContractVersitygw(t *testing.T) {
	endpoint := os.Getenv(envEndpoint)
	if endpoint == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set; under CI the S3 tests must run (use scripts/test.sh)", envEndpoint)
		}
		t.Skipf("S3 server tests skipped: set %s, %s and %s, or run scripts/test.sh, which starts versitygw",
			envEndpoint, envAccessKey, envSecretKey)
	}
	cfg := s3.Config{
		Endpoint:        endpoint,
		AccessKeyID:     os.Getenv(envAccessKey),
		SecretAccessKey: os.Getenv(envSecretKey),
	}
	blobtest.Run(t, func(t *testing.T) ports.BlobStore { return newStore(t, cfg) }, blobtest.Options{})

	t.Run("Prefix", func(t *testing.T) {
		testPrefix(t, cfg)
	})
}

func TestPrefixGofakes3(t *testing.T) {
	t.Parallel()
	testPrefix(t, fakeConfig(fakeServer(t, nil)))
}

func testPrefix(t *testing.T, cfg s3.Config) {
	ctx := context.Background()
	cfg.Prefix = "telcojobs"
	s := newStore(t, cfg)

	require.NoError(t, s.Put(ctx, "iccs/a.pdf", strings.NewReader("a")))
	list, err := s.List(ctx, "")
	require.NoError(t, err)
	require.Equal(t, []ports.BlobInfo{{Key: "iccs/a.pdf", Size: 1}}, list)

	head, err := s.Client().HeadObject(ctx, &awss3.HeadObjectInput{
		Bucket: aws.String(listBucket(t, s)), Key: aws.String("telcojobs/iccs/a.pdf"),
	})
	require.NoError(t, err)
	require.Equal(t, int64(1), aws.ToInt64(head.ContentLength))
}

func listBucket(t *testing.T, s *s3.Store) string {
	t.Helper()
	out, err := s.Client().ListBuckets(context.Background(), &awss3.ListBucketsInput{})
	require.NoError(t, err)
	require.Len(t, out.Buckets, 1)
	return aws.ToString(out.Buckets[0].Name)
}

// partRecorder counts the requests that carry object data and the largest
// body among them.
type partRecorder struct {
	mu       sync.Mutex
	parts    int
	puts     int
	maxBody  int64
	aborts   int
	complete int
}

func (r *partRecorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		q := req.URL.Query()
		switch {
		case req.Method == http.MethodPut && q.Has("partNumber"):
			r.parts++
		case req.Method == http.MethodPut:
			r.puts++
		case req.Method == http.MethodDelete && q.Has("uploadId"):
			r.aborts++
		case req.Method == http.MethodPost && q.Has("uploadId"):
			r.complete++
		}
		r.maxBody = max(r.maxBody, req.ContentLength)
		r.mu.Unlock()
		next.ServeHTTP(w, req)
	})
}

func TestPutSendsParts(t *testing.T) {
	t.Parallel()
	rec := &partRecorder{}
	cfg := fakeConfig(fakeServer(t, rec.wrap))
	cfg.PartSize = s3.MinPartSize
	s := newStore(t, cfg)
	ctx := context.Background()

	const size = 4*s3.MinPartSize + 1234
	require.NoError(t, s.Put(ctx, "big.bin", io.LimitReader(zeroReader{}, size)))

	require.Equal(t, 5, rec.parts, "four full parts and a short one")
	require.Equal(t, 1, rec.complete)
	require.LessOrEqual(t, rec.maxBody, int64(s3.MinPartSize), "no request carries more than one part")
	list, err := s.List(ctx, "big")
	require.NoError(t, err)
	require.Equal(t, []ports.BlobInfo{{Key: "big.bin", Size: size}}, list)
}

func TestPutSmallIsOneRequest(t *testing.T) {
	t.Parallel()
	rec := &partRecorder{}
	s := newStore(t, fakeConfig(fakeServer(t, rec.wrap)))

	require.NoError(t, s.Put(context.Background(), "small.pdf", strings.NewReader("%PDF-1.4")))
	require.Equal(t, 0, rec.parts)
	require.Equal(t, 2, rec.puts, "one CreateBucket and one PutObject")
}

func TestPutFailureAbortsUpload(t *testing.T) {
	t.Parallel()
	rec := &partRecorder{}
	cfg := fakeConfig(fakeServer(t, rec.wrap))
	cfg.PartSize = s3.MinPartSize
	s := newStore(t, cfg)
	ctx := context.Background()

	body := io.MultiReader(io.LimitReader(zeroReader{}, 2*s3.MinPartSize), failingReader{})
	err := s.Put(ctx, "broken.bin", body)
	require.ErrorContains(t, err, "source failed")
	require.Equal(t, 1, rec.aborts, "the multipart upload is aborted")

	ok, err := s.Exists(ctx, "broken.bin")
	require.NoError(t, err)
	require.False(t, ok)
}

func TestMissingBucketNotNotFound(t *testing.T) {
	t.Parallel()
	s, err := s3.New(context.Background(), s3.Config{
		Bucket: "missing-bucket", Endpoint: fakeServer(t, nil), UsePathStyle: true,
		AccessKeyID: "test", SecretAccessKey: "test-secret", Region: "us-east-1",
	})
	require.NoError(t, err)

	_, err = s.Get(context.Background(), "k")
	require.Error(t, err)
	require.NotErrorIs(t, err, domain.ErrNotFound, "a missing bucket is a configuration error, not a missing key")
	require.ErrorContains(t, err, "missing-bucket")
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		cfg   s3.Config
		field string
	}{
		{"MissingBucket", s3.Config{}, "Bucket is required"},
		{"BadPrefix", s3.Config{Bucket: "b", Prefix: "../x"}, "Prefix"},
		{"BadEndpoint", s3.Config{Bucket: "b", Endpoint: "127.0.0.1:7070"}, "Endpoint"},
		{"SecretWithoutKey", s3.Config{Bucket: "b", SecretAccessKey: "s"}, "AccessKeyID is required"},
		{"KeyWithoutSecret", s3.Config{Bucket: "b", AccessKeyID: "k"}, "SecretAccessKey is required"},
		{"SmallPart", s3.Config{Bucket: "b", PartSize: 1 << 20}, "PartSize"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := s3.New(context.Background(), tc.cfg)
			require.ErrorContains(t, err, tc.field)
		})
	}
}

func TestConfigSecretNotInErrors(t *testing.T) {
	t.Parallel()
	_, err := s3.New(context.Background(), s3.Config{Bucket: "b", AccessKeyID: "k", SecretAccessKey: "very-secret", PartSize: 1})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "very-secret")
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("source failed") }
