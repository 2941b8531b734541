// Package fakevendor is a fake of the three vendor APIs that telcojobs
// calls, for tests, benchmarks and demos:
//
//	Orion catalogue  GET  /devices?page=N, GET /devices/{alias}
//	Telco coverage   GET  /coverage/{address_code}
//	SMS gateway      POST /messages {"to","text","sender","reference"} -> 202 {"id"}
//
// It serves data loaded from JSON files (see [LoadTestdata]) or built in
// code, and adds latency to every request. It misbehaves on demand through
// [Fault]s: 5xx, 429 with Retry-After, bodies cut short, HTML pages sent
// with status 200, missing pages and devices, empty or short listings.
// [NewServer] starts it on 127.0.0.1; the fakevendor command serves it
// from a terminal.
package fakevendor

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Endpoint names one route of the fake, for faults and request counts.
type Endpoint string

// Endpoints.
const (
	EndpointList     Endpoint = "list"
	EndpointDevice   Endpoint = "device"
	EndpointCoverage Endpoint = "coverage"
	EndpointMessages Endpoint = "messages"
)

// FaultKind is a way to misbehave.
type FaultKind string

// Fault kinds.
const (
	// FaultServerError responds 503 with a JSON error body.
	FaultServerError FaultKind = "server_error"
	// FaultTooManyRequests responds 429 with the fault's Retry-After.
	FaultTooManyRequests FaultKind = "too_many_requests"
	// FaultTruncated announces the full Content-Length, sends half of the
	// body and closes the connection.
	FaultTruncated FaultKind = "truncated"
	// FaultHTML responds 200 with an HTML error page.
	FaultHTML FaultKind = "html"
	// FaultNotFound responds 404, such as for a missing page or device.
	FaultNotFound FaultKind = "not_found"
	// FaultEmptyListing responds to a listing request with a page of no
	// device and a total of zero.
	FaultEmptyListing FaultKind = "empty_listing"
	// FaultShortPage leaves the last device out of a listing page while
	// keeping the announced total.
	FaultShortPage FaultKind = "short_page"
	// FaultSlow waits the fault's Delay before responding normally.
	FaultSlow FaultKind = "slow"
)

// Fault makes matching requests misbehave.
type Fault struct {
	Endpoint Endpoint
	// Key narrows the fault to one page number, device alias or address
	// code. Empty matches every request to the endpoint.
	Key  string
	Kind FaultKind
	// Times is how many matching requests misbehave; 0 means all of them.
	Times int
	// RetryAfter is the Retry-After header of FaultTooManyRequests and
	// FaultServerError, in seconds or as an HTTP date. Empty sends "1" with
	// 429 and no header with 503.
	RetryAfter string
	// Delay is the wait of FaultSlow.
	Delay time.Duration
}

// Options configures the fake.
type Options struct {
	// Devices is the Orion catalogue, listed in this order.
	Devices []Device
	// Coverage maps an address code to the Telco answer. Other codes get
	// 404.
	Coverage map[string]Coverage
	// PageSize is the number of devices per listing page. Default 50.
	PageSize int
	// Latency is added to every request before it is answered.
	Latency time.Duration
	// Token, when set, must come as "Authorization: Bearer <Token>";
	// other requests get 401.
	Token string
	// Faults are applied in order; the first that matches a request wins.
	Faults []Fault
	// Logger logs each request at debug level. Default: discard.
	Logger *slog.Logger
}

// Handler is the fake as an http.Handler. It is safe for concurrent use,
// and its data and faults can change while it serves.
type Handler struct {
	mux *http.ServeMux

	mu       sync.Mutex
	opts     Options
	faults   []*Fault
	requests map[Endpoint]int
	messages []Message
	refs     map[string]string
}

// New builds the fake's handler.
func New(opts Options) (*Handler, error) {
	if opts.PageSize == 0 {
		opts.PageSize = 50
	}
	if opts.PageSize < 0 {
		return nil, fmt.Errorf("fakevendor: PageSize %d must be positive", opts.PageSize)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{opts: opts, requests: map[Endpoint]int{}, refs: map[string]string{}}
	h.SetFaults(opts.Faults...)

	h.mux = http.NewServeMux()
	h.mux.HandleFunc("GET /devices", h.listDevices)
	h.mux.HandleFunc("GET /devices/{alias}", h.retrieveDevice)
	h.mux.HandleFunc("GET /coverage/{code}", h.coverage)
	h.mux.HandleFunc("POST /messages", h.postMessage)
	return h, nil
}

// Server is the fake listening on 127.0.0.1.
type Server struct {
	*Handler
	// URL is the base URL of all three APIs, such as http://127.0.0.1:41234.
	URL string
	srv *httptest.Server
}

// NewServer starts the fake on a free port of 127.0.0.1. Call Close to stop
// it.
func NewServer(opts Options) (*Server, error) {
	h, err := New(opts)
	if err != nil {
		return nil, err
	}
	srv := httptest.NewServer(h)
	return &Server{Handler: h, URL: srv.URL, srv: srv}, nil
}

// Close stops the server and waits for the requests in progress.
func (s *Server) Close() { s.srv.Close() }

// SetFaults replaces the faults.
func (h *Handler) SetFaults(faults ...Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = nil
	for _, f := range faults {
		h.faults = append(h.faults, &f)
	}
}

// SetDevices replaces the catalogue.
func (h *Handler) SetDevices(devices []Device) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.opts.Devices = devices
}

// Devices returns a copy of the catalogue.
func (h *Handler) Devices() []Device {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.opts.Devices)
}

// SetLatency changes the latency of every later request.
func (h *Handler) SetLatency(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.opts.Latency = d
}

// Requests returns how many requests reached the endpoint, faulty ones
// included.
func (h *Handler) Requests(e Endpoint) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.requests[e]
}

// Messages returns the SMS accepted so far, oldest first.
func (h *Handler) Messages() []Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.messages)
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	latency, token, logger := h.opts.Latency, h.opts.Token, h.opts.Logger
	h.mu.Unlock()
	logger.DebugContext(r.Context(), "fake vendor request", "method", r.Method, "path", r.URL.RequestURI())

	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing or wrong bearer token"})
		return
	}
	h.mux.ServeHTTP(w, r)
}

// begin counts the request and returns the fault to apply, if any.
func (h *Handler) begin(e Endpoint, key string) *Fault {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests[e]++
	for _, f := range h.faults {
		if f.Endpoint != e || (f.Key != "" && f.Key != key) || f.Times < 0 {
			continue
		}
		applied := *f
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				f.Times = -1 // used up
			}
		}
		return &applied
	}
	return nil
}

// misbehave answers the request as the fault says and reports whether it
// did. body is the correct answer, for FaultTruncated.
func misbehave(w http.ResponseWriter, r *http.Request, f *Fault, body any) bool {
	if f == nil {
		return false
	}
	switch f.Kind {
	case FaultServerError:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "service unavailable"})
	case FaultTooManyRequests:
		w.Header().Set("Retry-After", cmpOr(f.RetryAfter, "1"))
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "too many requests"})
	case FaultTruncated:
		b, _ := json.Marshal(body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b[:len(b)/2])
		// Returning with fewer bytes than announced makes net/http close
		// the connection, so the client reads an unexpected EOF.
	case FaultHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("<!DOCTYPE html><html><body><h1>Error interno</h1><p>Vuelva a intentarlo más tarde.</p></body></html>"))
	case FaultNotFound:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
	case FaultSlow:
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return true
		}
		return false
	default:
		return false
	}
	return true
}

type listJSON struct {
	Devices []entryJSON `json:"devices"`
	Page    int         `json:"page"`
	Pages   int         `json:"pages"`
	Total   int         `json:"total"`
}

type entryJSON struct {
	Alias string `json:"alias"`
	Name  string `json:"name"`
	Brand string `json:"brand"`
}

func (h *Handler) listDevices(w http.ResponseWriter, r *http.Request) {
	page, err := strconv.Atoi(cmpOr(r.URL.Query().Get("page"), "1"))
	if err != nil || page < 1 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "page must be a number from 1"})
		return
	}
	fault := h.begin(EndpointList, strconv.Itoa(page))

	h.mu.Lock()
	devices, size := h.opts.Devices, h.opts.PageSize
	h.mu.Unlock()

	pages := max(1, (len(devices)+size-1)/size)
	body := listJSON{Devices: []entryJSON{}, Page: page, Pages: pages, Total: len(devices)}
	for _, d := range devices[min((page-1)*size, len(devices)):min(page*size, len(devices))] {
		body.Devices = append(body.Devices, entryJSON{Alias: d.Alias, Name: d.Name, Brand: d.Brand})
	}

	if fault != nil {
		switch fault.Kind {
		case FaultEmptyListing:
			writeJSON(w, http.StatusOK, listJSON{Devices: []entryJSON{}, Page: page, Pages: 1, Total: 0})
			return
		case FaultShortPage:
			if n := len(body.Devices); n > 0 {
				body.Devices = body.Devices[:n-1]
			}
			writeJSON(w, http.StatusOK, body)
			return
		}
	}
	if misbehave(w, r, fault, body) {
		return
	}
	if page > pages {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("page %d of %d", page, pages)})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (h *Handler) retrieveDevice(w http.ResponseWriter, r *http.Request) {
	alias := r.PathValue("alias")
	fault := h.begin(EndpointDevice, alias)

	h.mu.Lock()
	var found *Device
	for i := range h.opts.Devices {
		if h.opts.Devices[i].Alias == alias {
			d := h.opts.Devices[i]
			found = &d
			break
		}
	}
	h.mu.Unlock()

	if misbehave(w, r, fault, found) {
		return
	}
	if found == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "device not found: " + alias})
		return
	}
	writeJSON(w, http.StatusOK, found)
}

func (h *Handler) coverage(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	fault := h.begin(EndpointCoverage, code)

	h.mu.Lock()
	c, ok := h.opts.Coverage[code]
	h.mu.Unlock()

	if misbehave(w, r, fault, c) {
		return
	}
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown address: " + code})
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// postMessage accepts an SMS. A reference seen before returns the id given
// the first time without storing the message again, as a gateway that
// deduplicates on the client's reference does.
func (h *Handler) postMessage(w http.ResponseWriter, r *http.Request) {
	var m Message
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	if err := dec.Decode(&m); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be a JSON object"})
		return
	}
	fault := h.begin(EndpointMessages, m.To)
	if misbehave(w, r, fault, map[string]string{"id": "msg-000000"}) {
		return
	}
	if strings.TrimSpace(m.To) == "" || m.Text == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "to and text are required"})
		return
	}

	h.mu.Lock()
	id, dup := h.refs[m.Reference]
	if !dup || m.Reference == "" {
		id = fmt.Sprintf("msg-%06d", len(h.messages)+1)
		m.ID = id
		h.messages = append(h.messages, m)
		if m.Reference != "" {
			h.refs[m.Reference] = id
		}
	}
	h.mu.Unlock()
	writeJSON(w, http.StatusAccepted, map[string]string{"id": id})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func cmpOr(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}
