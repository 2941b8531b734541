package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/telcojobs/telcojobs/domain"
)

// envPrefix is put before the upper-cased flag name to form the environment
// variable that sets a flag: --orion-token is TELCOJOBS_ORION_TOKEN.
const envPrefix = "TELCOJOBS_"

// Config is everything the command reads from flags and the environment.
type Config struct {
	DB       string
	Blob     string
	TimeZone string
	JSON     bool
	LogLevel string

	OrionURL   string
	OrionToken string
	TelcoURL   string
	TelcoToken string
	SMSURL     string
	SMSToken   string
	SMSSender  string

	SMTPHost     string
	SMTPPort     int
	SMTPUser     string
	SMTPPassword string
	SMTPTLS      string
	SMTPFrom     string

	AlertRecipients  []string
	ReportRecipients []string
	EsimThreshold    int
	Timeout          time.Duration

	// ShutdownTimeout and RescueAfter are flags of the worker command.
	ShutdownTimeout time.Duration
	RescueAfter     time.Duration
}

// validate checks the settings that do not need a connection, so that a
// mistake is reported as bad usage before anything is opened.
func (c Config) validate() error {
	if _, err := domain.LoadZone(c.TimeZone); err != nil {
		return usageErrorf("--timezone %q: expected an IANA zone name such as Europe/Madrid", c.TimeZone)
	}
	switch c.SMTPTLS {
	case "none", "starttls", "tls":
	default:
		return usageErrorf("--smtp-tls %q: expected none, starttls or tls", c.SMTPTLS)
	}
	if c.SMTPPort < 1 || c.SMTPPort > 65535 {
		return usageErrorf("--smtp-port %d: expected a TCP port between 1 and 65535", c.SMTPPort)
	}
	if c.EsimThreshold < 0 {
		return usageErrorf("--esim-threshold %d: expected zero or a positive number of ICCs", c.EsimThreshold)
	}
	for _, list := range []struct {
		flag   string
		values []string
	}{{"alert-recipients", c.AlertRecipients}, {"report-recipients", c.ReportRecipients}} {
		for _, v := range list.values {
			if _, err := domain.NormalizeEmail(v); err != nil {
				return usageErrorf("--%s: %q is not an e-mail address such as ana@example.com", list.flag, v)
			}
		}
	}
	if c.SMTPHost != "" && c.SMTPFrom == "" {
		return usageErrorf("--smtp-from is required with --smtp-host: the From address of e-mails, such as avisos@example.com")
	}
	if c.SMTPFrom != "" {
		if _, err := domain.NormalizeEmail(c.SMTPFrom); err != nil {
			return usageErrorf("--smtp-from %q is not an e-mail address such as avisos@example.com", c.SMTPFrom)
		}
	}
	if c.Timeout < 0 {
		return usageErrorf("--timeout %s must not be negative", c.Timeout)
	}
	return nil
}

// missingSettings maps each job kind whose outbound service is not
// configured to the flag that configures it. Those jobs are not registered
// on the engine, so their queued jobs wait for a worker that has the
// setting instead of failing.
func (c Config) missingSettings() map[string]string {
	missing := map[string]string{}
	if c.OrionURL == "" {
		missing["update_device_data"] = "orion-url"
		missing["update_devices_stock"] = "orion-url"
	}
	if c.TelcoURL == "" {
		missing["check_coverage_from_leads_ids"] = "telco-url"
	}
	if c.SMTPHost == "" {
		missing["send_async_email"] = "smtp-host"
	}
	if c.SMSURL == "" {
		missing["send_async_sms"] = "sms-url"
	}
	return missing
}

// secretFlags are never printed, logged or echoed back in errors.
var secretFlags = map[string]bool{"orion-token": true, "telco-token": true, "sms-token": true, "smtp-password": true}

// bindGlobalFlags declares the flags shared by every command.
func bindGlobalFlags(fs *pflag.FlagSet, c *Config) {
	fs.StringVar(&c.DB, "db", "sqlite:./telcojobs.db", "database: sqlite:PATH for an embedded file, or a postgres:// URL")
	fs.StringVar(&c.Blob, "blob", "file:./blobs", "blob store: file:DIR (or file:///ABS/DIR) for a local folder, or s3://BUCKET?endpoint=URL&region=R&path_style=true&prefix=P; S3 credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or the AWS files, and from the instance role only with instance_metadata=true")
	fs.StringVar(&c.TimeZone, "timezone", domain.DefaultTimeZone, "business time zone (IANA name) for report windows and periodic jobs")
	fs.BoolVar(&c.JSON, "json", false, "print the result as one JSON object on standard output")
	fs.StringVar(&c.LogLevel, "log-level", "warn", "log level on standard error: debug, info, warn or error")

	fs.StringVar(&c.OrionURL, "orion-url", "", "base URL of the Orion catalogue API")
	fs.StringVar(&c.OrionToken, "orion-token", "", "bearer token of the Orion API (secret, never printed)")
	fs.StringVar(&c.TelcoURL, "telco-url", "", "base URL of the Telco coverage API")
	fs.StringVar(&c.TelcoToken, "telco-token", "", "bearer token of the Telco API (secret, never printed)")
	fs.StringVar(&c.SMSURL, "sms-url", "", "base URL of the SMS gateway")
	fs.StringVar(&c.SMSToken, "sms-token", "", "bearer token of the SMS gateway (secret, never printed)")
	fs.StringVar(&c.SMSSender, "sms-sender", "", "sender id of SMS messages when the template has none")

	fs.StringVar(&c.SMTPHost, "smtp-host", "", "SMTP server host name")
	fs.IntVar(&c.SMTPPort, "smtp-port", 587, "SMTP server port")
	fs.StringVar(&c.SMTPUser, "smtp-user", "", "SMTP user name; empty means no authentication")
	fs.StringVar(&c.SMTPPassword, "smtp-password", "", "SMTP password (secret, never printed)")
	fs.StringVar(&c.SMTPTLS, "smtp-tls", "starttls", "SMTP TLS mode: none, starttls or tls (implicit TLS)")
	fs.StringVar(&c.SMTPFrom, "smtp-from", "", "From address of e-mails when the template has none")

	fs.StringSliceVar(&c.AlertRecipients, "alert-recipients", nil, "comma-separated e-mail addresses that receive stock alerts")
	fs.StringSliceVar(&c.ReportRecipients, "report-recipients", nil, "comma-separated e-mail addresses that receive the daily validation report")
	fs.IntVar(&c.EsimThreshold, "esim-threshold", 100, "free eSIM ICCs below which the stock alert is sent")
	fs.DurationVar(&c.Timeout, "timeout", 0, "stop the command after this long, such as 10m; 0 means no limit")
}

// applyEnv sets every flag that was not given on the command line from its
// TELCOJOBS_ environment variable, if set.
func applyEnv(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed {
			return
		}
		name := envPrefix + upperSnake(f.Name)
		v, ok := os.LookupEnv(name)
		if !ok {
			return
		}
		if setErr := fs.Set(f.Name, v); setErr != nil {
			shown := v
			if secretFlags[f.Name] {
				shown = "(hidden)"
			}
			err = usageErrorf("environment variable %s=%q is invalid: %v", name, shown, setErr)
		}
	})
	return err
}

// DBKind is the storage backend named by the --db URL.
type DBKind int

// Storage backends.
const (
	DBSQLite DBKind = iota
	DBPostgres
)

// ParseDB splits --db into its backend and the path or URL the adapter
// takes.
func ParseDB(raw string) (DBKind, string, error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return 0, "", usageErrorf("--db: the PostgreSQL URL %s is invalid", RedactURL(raw))
		}
		return DBPostgres, raw, nil
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
		if path == "" {
			return 0, "", usageErrorf("--db %s: a file path is missing after sqlite:, for example sqlite:./telcojobs.db", raw)
		}
		if strings.ContainsAny(path, "@?") {
			return 0, "", usageErrorf("--db %s: expected sqlite: followed by a file path, such as sqlite:./telcojobs.db", RedactURL(raw))
		}
		return DBSQLite, path, nil
	}
	return 0, "", usageErrorf("--db %s: expected sqlite:PATH or a postgres:// URL", RedactURL(raw))
}

// BlobKind is the blob-store backend named by the --blob URL.
type BlobKind int

// Blob-store backends.
const (
	BlobFile BlobKind = iota
	BlobS3
)

// BlobLocation is a parsed --blob URL.
type BlobLocation struct {
	Kind      BlobKind
	Dir       string
	Bucket    string
	Prefix    string
	Endpoint  string
	Region    string
	PathStyle bool
	// InstanceMetadata lets the S3 client ask the EC2 instance metadata
	// service for credentials (instance_metadata=true in the URL).
	InstanceMetadata bool
}

// ParseBlob parses --blob.
func ParseBlob(raw string) (BlobLocation, error) {
	switch {
	case strings.HasPrefix(raw, "file:"):
		dir := strings.TrimPrefix(raw, "file:")
		if strings.HasPrefix(dir, "//") {
			u, err := url.Parse(raw)
			if err != nil || (u.Host != "" && u.Host != "localhost") {
				return BlobLocation{}, usageErrorf("--blob %s: expected file:DIR or file:///ABSOLUTE/DIR", RedactURL(raw))
			}
			dir = u.Path
		}
		if dir == "" {
			return BlobLocation{}, usageErrorf("--blob %s: the folder is missing, for example file:./blobs", raw)
		}
		return BlobLocation{Kind: BlobFile, Dir: filepath.Clean(dir)}, nil
	case strings.HasPrefix(raw, "s3://"):
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return BlobLocation{}, usageErrorf("--blob %s: expected s3://BUCKET?endpoint=URL&region=R", RedactURL(raw))
		}
		q := u.Query()
		for key := range q {
			switch key {
			case "endpoint", "region", "path_style", "prefix", "instance_metadata":
			default:
				return BlobLocation{}, usageErrorf("--blob: unknown option %q in the s3:// URL; expected endpoint, region, path_style, prefix or instance_metadata", key)
			}
		}
		loc := BlobLocation{
			Kind:     BlobS3,
			Bucket:   u.Host,
			Prefix:   strings.TrimPrefix(q.Get("prefix"), "/"),
			Endpoint: q.Get("endpoint"),
			Region:   q.Get("region"),
		}
		for _, opt := range []struct {
			name string
			dst  *bool
		}{{"path_style", &loc.PathStyle}, {"instance_metadata", &loc.InstanceMetadata}} {
			switch strings.ToLower(q.Get(opt.name)) {
			case "", "false", "0":
			case "true", "1":
				*opt.dst = true
			default:
				return BlobLocation{}, usageErrorf("--blob: %s=%q must be true or false", opt.name, q.Get(opt.name))
			}
		}
		if p := strings.Trim(u.Path, "/"); p != "" && loc.Prefix == "" {
			loc.Prefix = p
		}
		return loc, nil
	}
	return BlobLocation{}, usageErrorf("--blob %s: expected file:DIR or s3://BUCKET", RedactURL(raw))
}

// RedactURL hides the password of a database or blob-store location, so
// that it can be shown in messages and logs: the password of a URL's user
// information, password, secret and token query parameters, and the
// password=... pair of a key/value connection string.
func RedactURL(raw string) string {
	if !strings.Contains(raw, "://") && strings.Contains(raw, "=") {
		return redactKeyValues(raw)
	}
	if scheme, rest, ok := strings.Cut(raw, "://"); ok {
		// Everything before the last "@" of the authority is user
		// information, even when a password itself contains "@".
		authority, path, _ := strings.Cut(rest, "/")
		if i := strings.LastIndex(authority, "@"); i >= 0 {
			user, _, hasPassword := strings.Cut(authority[:i], ":")
			if hasPassword {
				raw = scheme + "://" + user + ":xxxxx@" + authority[i+1:]
				if path != "" || strings.Contains(rest, "/") {
					raw += "/" + path
				}
			}
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			return "(hidden)" + raw[i:]
		}
		return raw
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	changed := false
	for k, values := range q {
		switch {
		case isSecretKey(k):
			q.Set(k, "xxxxx")
			changed = true
		case len(values) == 1 && strings.Contains(values[0], "@"):
			// A URL inside a parameter, such as an S3 endpoint, may carry
			// its own user information.
			q.Set(k, RedactURL(values[0]))
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// secretPair matches a key=value pair of a connection string whose key
// names a secret, with spaces around "=" and a quoted value allowed.
var secretPair = regexp.MustCompile(`(?i)\b(password|pass|pwd|secret|token|sslpassword|secret_key|access_key)\s*=\s*('(?:[^'\\]|\\.)*'|(?:[^\s\\]|\\.)+)`)

// redactKeyValues hides the secrets of "host=... password=..." strings.
func redactKeyValues(raw string) string {
	return secretPair.ReplaceAllString(raw, "$1=xxxxx")
}

func isSecretKey(k string) bool {
	switch strings.ToLower(k) {
	case "password", "pass", "pwd", "secret", "token", "sslpassword", "secret_key", "access_key":
		return true
	}
	return false
}

// UsageError is bad usage or bad input rejected as a whole: exit status 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usageErrorf(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// upperSnake turns a flag name into the tail of its environment variable.
func upperSnake(flag string) string {
	return strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}
