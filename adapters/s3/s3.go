// Package s3 is a blob store on Amazon S3 or an S3-compatible server (such
// as versitygw or MinIO) through aws-sdk-go-v2.
//
// Objects are streamed both ways. Get returns the response body as it
// arrives. Put reads the object in parts of [Config.PartSize] bytes: an
// object that fits in one part is sent with one PutObject, a larger one as a
// multipart upload, part by part, reusing one buffer. So a put holds at most
// one part in memory whatever the size of the object, and S3 makes the
// object visible only when the upload completes. A failed multipart upload is
// aborted so that its parts are not billed.
package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/google/wire"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// ProviderSet builds a *Store from a context and a Config and provides it as
// a ports.BlobStore.
var ProviderSet = wire.NewSet(New, wire.Bind(new(ports.BlobStore), new(*Store)))

var _ ports.BlobStore = (*Store)(nil)

// S3 limits on multipart uploads: every part but the last is at least 5 MiB,
// and an upload has at most 10,000 parts.
const (
	MinPartSize = 5 << 20
	maxParts    = 10_000
)

// Config configures the S3 blob store.
type Config struct {
	// Bucket is the bucket that holds the objects. Required.
	Bucket string
	// Prefix is put before every key, so that several applications can
	// share a bucket. A "/" is added when it does not end with one. Default
	// empty.
	Prefix string
	// Endpoint is the base URL of an S3-compatible server, such as
	// http://127.0.0.1:7070. Default empty: the AWS endpoint of the region.
	Endpoint string
	// Region is the signing region. Default: the region of the standard AWS
	// configuration (AWS_REGION, ~/.aws/config), else us-east-1.
	Region string
	// UsePathStyle addresses objects as ENDPOINT/BUCKET/KEY instead of
	// BUCKET.ENDPOINT/KEY. Most S3-compatible servers need it. Default false.
	UsePathStyle bool
	// AccessKeyID and SecretAccessKey are static credentials, with an
	// optional SessionToken. When AccessKeyID is empty the standard AWS
	// credential chain is used (environment, shared files, web identity,
	// container role, and the instance role when UseInstanceMetadata is
	// set).
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// UseInstanceMetadata lets the credential chain and the region lookup
	// ask the EC2 instance metadata service. Default false, so that a
	// machine without credentials fails with a clear error instead of
	// sending requests to the metadata address; set it on EC2 instances
	// that use an instance role.
	UseInstanceMetadata bool
	// PartSize is the size in bytes of the parts of a put, and so the memory
	// one put holds. Default 8 MiB, minimum 5 MiB (the S3 minimum). The
	// largest object is 10,000 parts (about 78 GiB with the default).
	PartSize int64
	// HTTPClient sends the requests. Default: the SDK's client.
	HTTPClient *http.Client
	// Logger receives warnings such as a failed abort of an upload. Default:
	// discard.
	Logger *slog.Logger
}

// WithDefaults returns a copy with the defaults filled in.
func (c Config) WithDefaults() Config {
	if c.Prefix != "" && !strings.HasSuffix(c.Prefix, "/") {
		c.Prefix += "/"
	}
	if c.PartSize == 0 {
		c.PartSize = 8 << 20
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports the first invalid field. Secrets are never repeated in
// its messages.
func (c Config) Validate() error {
	if strings.TrimSpace(c.Bucket) == "" {
		return errors.New("s3 config: Bucket is required")
	}
	if c.Prefix != "" {
		if err := ValidateKey(strings.TrimSuffix(c.Prefix, "/")); err != nil {
			return fmt.Errorf("s3 config: Prefix %q must be a relative path such as telcojobs/", c.Prefix)
		}
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("s3 config: Endpoint %q must be an http or https URL such as http://127.0.0.1:7070", c.Endpoint)
		}
	}
	if c.AccessKeyID != "" && c.SecretAccessKey == "" {
		return errors.New("s3 config: SecretAccessKey is required when AccessKeyID is set")
	}
	if c.AccessKeyID == "" && c.SecretAccessKey != "" {
		return errors.New("s3 config: AccessKeyID is required when SecretAccessKey is set")
	}
	if c.PartSize < MinPartSize {
		return fmt.Errorf("s3 config: PartSize %d must be at least %d bytes (5 MiB)", c.PartSize, MinPartSize)
	}
	return nil
}

// Store is a ports.BlobStore on one S3 bucket. It is safe for concurrent use.
type Store struct {
	client *s3.Client
	cfg    Config
	logger *slog.Logger
}

// New loads the AWS configuration and builds the client. It sends no
// request; a wrong bucket or credentials show on the first call.
func New(ctx context.Context, cfg Config) (*Store, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}

	// The SDK's default checksums send aws-chunked trailers that some
	// S3-compatible servers reject, so checksums are sent only where the
	// operation requires one.
	opts := []func(*config.LoadOptions) error{
		config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if !cfg.UseInstanceMetadata {
		opts = append(opts, config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	}
	if cfg.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken)))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(cfg.HTTPClient))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}

	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.UsePathStyle
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return &Store{client: client, cfg: cfg, logger: cfg.Logger}, nil
}

// Client returns the SDK client, for operations the port does not cover.
func (s *Store) Client() *s3.Client { return s.client }

// CreateBucket creates the configured bucket. A bucket that already exists
// and belongs to these credentials is not an error.
func (s *Store) CreateBucket(ctx context.Context) error {
	_, err := s.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(s.cfg.Bucket)})
	var owned *types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		return fmt.Errorf("create bucket %q: %w", s.cfg.Bucket, err)
	}
	return nil
}

// ValidateKey applies the key rules of ports.BlobStore: a non-empty relative
// slash-separated path whose segments are neither empty, "." nor "..", with
// no backslash or NUL byte.
func ValidateKey(key string) error { return ports.ValidateBlobKey(key) }

func (s *Store) objectKey(key string) *string { return aws.String(s.cfg.Prefix + key) }

// Put implements ports.BlobStore.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) error {
	if err := ValidateKey(key); err != nil {
		return err
	}

	first, err := readPart(r, nil, int(s.cfg.PartSize))
	if errors.Is(err, io.EOF) {
		_, err = s.client.PutObject(ctx, &s3.PutObjectInput{
			Bucket:        aws.String(s.cfg.Bucket),
			Key:           s.objectKey(key),
			Body:          bytes.NewReader(first),
			ContentLength: aws.Int64(int64(len(first))),
		})
		return s.err("put", key, err)
	}
	if err != nil {
		return fmt.Errorf("put blob %q: read: %w", key, err)
	}
	return s.putMultipart(ctx, key, first, r)
}

// putMultipart uploads first and then the rest of r part by part, reusing
// the buffer of first.
func (s *Store) putMultipart(ctx context.Context, key string, first []byte, r io.Reader) (err error) {
	created, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(s.cfg.Bucket),
		Key:    s.objectKey(key),
	})
	if err != nil {
		return s.err("start upload of", key, err)
	}
	uploadID := created.UploadId
	defer func() {
		if err != nil {
			s.abort(ctx, key, uploadID)
		}
	}()

	var parts []types.CompletedPart
	buf := first
	for number := int32(1); ; number++ {
		if number > maxParts {
			return fmt.Errorf("put blob %q: larger than %d parts of %d bytes; raise PartSize", key, maxParts, s.cfg.PartSize)
		}
		out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{
			Bucket:        aws.String(s.cfg.Bucket),
			Key:           s.objectKey(key),
			UploadId:      uploadID,
			PartNumber:    aws.Int32(number),
			Body:          bytes.NewReader(buf),
			ContentLength: aws.Int64(int64(len(buf))),
		})
		if err != nil {
			return s.err(fmt.Sprintf("upload part %d of", number), key, err)
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(number)})

		buf, err = readPart(r, buf[:0], int(s.cfg.PartSize))
		if errors.Is(err, io.EOF) && len(buf) == 0 {
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("put blob %q: read: %w", key, err)
		}
	}

	_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(s.cfg.Bucket),
		Key:             s.objectKey(key),
		UploadId:        uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	return s.err("complete upload of", key, err)
}

// abort cancels an upload even when ctx was cancelled, because the parts
// already sent would otherwise stay stored (and billed) until a lifecycle
// rule removes them.
func (s *Store) abort(ctx context.Context, key string, uploadID *string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	_, err := s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket:   aws.String(s.cfg.Bucket),
		Key:      s.objectKey(key),
		UploadId: uploadID,
	})
	if err != nil {
		s.logger.WarnContext(ctx, "abort of multipart upload failed; its parts stay in the bucket",
			"bucket", s.cfg.Bucket, "key", key, "upload_id", aws.ToString(uploadID), "error", err)
	}
}

// readPart appends to buf from r until buf holds limit bytes or r ends, and
// returns io.EOF in the second case. buf grows as data arrives, so that a
// small object never costs a whole part of memory.
func readPart(r io.Reader, buf []byte, limit int) ([]byte, error) {
	for len(buf) < limit {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(limit, max(2*cap(buf), 64<<10)))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// Get implements ports.BlobStore. The caller closes the body.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.cfg.Bucket),
		Key:    s.objectKey(key),
	})
	if err != nil {
		return nil, s.err("get", key, err)
	}
	return out.Body, nil
}

// Delete implements ports.BlobStore.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: aws.String(s.cfg.Bucket),
		Key:    s.objectKey(key),
	})
	if err = s.err("delete", key, err); errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	return err
}

// Exists implements ports.BlobStore.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if err := ValidateKey(key); err != nil {
		return false, err
	}
	_, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(s.cfg.Bucket),
		Key:    s.objectKey(key),
	})
	if err == nil {
		return true, nil
	}
	if err = s.err("check", key, err); errors.Is(err, domain.ErrNotFound) {
		return false, nil
	}
	return false, err
}

// List implements ports.BlobStore. Keys ending in "/" (folder markers that
// some tools create) are left out, since they are not valid keys.
func (s *Store) List(ctx context.Context, prefix string) ([]ports.BlobInfo, error) {
	if strings.ContainsAny(prefix, "\\\x00") || strings.HasPrefix(prefix, "/") {
		return nil, domain.Invalid("blob prefix", prefix, "must be the start of a relative key")
	}

	var out []ports.BlobInfo
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.cfg.Bucket),
		Prefix: aws.String(s.cfg.Prefix + prefix),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list blobs with prefix %q in bucket %q: %w", prefix, s.cfg.Bucket, err)
		}
		for _, obj := range page.Contents {
			key := strings.TrimPrefix(aws.ToString(obj.Key), s.cfg.Prefix)
			if strings.HasSuffix(key, "/") {
				continue
			}
			out = append(out, ports.BlobInfo{Key: key, Size: aws.ToInt64(obj.Size)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// err translates a missing object into domain.ErrNotFound and names the
// operation and key. A nil err stays nil.
func (s *Store) err(op, key string, err error) error {
	if err == nil {
		return nil
	}
	if isNotFound(err) {
		return fmt.Errorf("%s blob %q: %w", op, key, domain.ErrNotFound)
	}
	return fmt.Errorf("%s blob %q in bucket %q: %w", op, key, s.cfg.Bucket, err)
}

func isNotFound(err error) bool {
	var noKey *types.NoSuchKey
	var notFound *types.NotFound
	if errors.As(err, &noKey) || errors.As(err, &notFound) {
		return true
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode() == "NoSuchKey" || apiErr.ErrorCode() == "NotFound") {
		return true
	}
	// HeadObject has no body, so some servers give a bare 404 without a code.
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) && respErr.HTTPStatusCode() == http.StatusNotFound {
		var bucketErr *types.NoSuchBucket
		return !errors.As(err, &bucketErr) && !(errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchBucket")
	}
	return false
}
