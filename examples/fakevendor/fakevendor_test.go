package fakevendor_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/examples/fakevendor"
)

func setup(t *testing.T, opts fakevendor.Options) *fakevendor.Server {
	t.Helper()
	s, err := fakevendor.NewServer(opts)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	require.True(t, strings.HasPrefix(s.URL, "http://127.0.0.1:"), s.URL)
	return s
}

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestListingPages(t *testing.T) {
	t.Parallel()
	s := setup(t, fakevendor.Options{Devices: fakevendor.GenerateCatalogue(5, 2), PageSize: 2})

	status, body, _ := get(t, s.URL+"/devices?page=3")
	require.Equal(t, http.StatusOK, status)
	var page struct {
		Devices []struct{ Alias string }
		Page    int
		Pages   int
		Total   int
	}
	require.NoError(t, json.Unmarshal([]byte(body), &page))
	require.Equal(t, 3, page.Pages)
	require.Equal(t, 5, page.Total)
	require.Len(t, page.Devices, 1)
	require.Equal(t, "dev-0005", page.Devices[0].Alias)

	status, _, _ = get(t, s.URL+"/devices?page=4")
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, 2, s.Requests(fakevendor.EndpointList))
}

func TestFaultTimes(t *testing.T) {
	t.Parallel()
	s := setup(t, fakevendor.Options{Devices: fakevendor.GenerateCatalogue(2, 1)})
	s.SetFaults(fakevendor.Fault{Endpoint: fakevendor.EndpointDevice, Key: "dev-0001", Kind: fakevendor.FaultTooManyRequests, Times: 1, RetryAfter: "7"})

	status, _, header := get(t, s.URL+"/devices/dev-0001")
	require.Equal(t, http.StatusTooManyRequests, status)
	require.Equal(t, "7", header.Get("Retry-After"))

	status, _, _ = get(t, s.URL+"/devices/dev-0001")
	require.Equal(t, http.StatusOK, status, "the fault was used up")

	status, body, header := get(t, s.URL+"/devices/dev-0002")
	require.Equal(t, http.StatusOK, status, "another key is not affected")
	require.Equal(t, "application/json", header.Get("Content-Type"))
	require.Contains(t, body, `"dev-0002-o1"`)
}

func TestFaultKinds(t *testing.T) {
	t.Parallel()

	tests := []struct {
		kind        fakevendor.FaultKind
		status      int
		contentType string
	}{
		{fakevendor.FaultServerError, http.StatusServiceUnavailable, "application/json"},
		{fakevendor.FaultHTML, http.StatusOK, "text/html; charset=utf-8"},
		{fakevendor.FaultNotFound, http.StatusNotFound, "application/json"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			t.Parallel()
			s := setup(t, fakevendor.Options{Coverage: map[string]fakevendor.Coverage{"1": {Coverage: true}}})
			s.SetFaults(fakevendor.Fault{Endpoint: fakevendor.EndpointCoverage, Kind: tt.kind})
			status, _, header := get(t, s.URL+"/coverage/1")
			require.Equal(t, tt.status, status)
			require.Equal(t, tt.contentType, header.Get("Content-Type"))
		})
	}

	t.Run("Truncated", func(t *testing.T) {
		t.Parallel()
		s := setup(t, fakevendor.Options{Coverage: map[string]fakevendor.Coverage{"1": {Coverage: true, Technology: "FTTH"}}})
		s.SetFaults(fakevendor.Fault{Endpoint: fakevendor.EndpointCoverage, Kind: fakevendor.FaultTruncated})
		resp, err := http.Get(s.URL + "/coverage/1")
		require.NoError(t, err)
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	})
}

func TestMessages(t *testing.T) {
	t.Parallel()
	s := setup(t, fakevendor.Options{Token: "tok"})

	post := func(body, token string) (int, string) {
		req, err := http.NewRequest(http.MethodPost, s.URL+"/messages", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	status, _ := post(`{"to":"+34600000001","text":"hola"}`, "")
	require.Equal(t, http.StatusUnauthorized, status)

	status, first := post(`{"to":"+34600000001","text":"hola","sender":"Tienda","reference":"n-1"}`, "tok")
	require.Equal(t, http.StatusAccepted, status)
	require.JSONEq(t, `{"id":"msg-000001"}`, first)

	status, again := post(`{"to":"+34600000001","text":"hola","sender":"Tienda","reference":"n-1"}`, "tok")
	require.Equal(t, http.StatusAccepted, status)
	require.Equal(t, first, again, "the same reference gets the same id")
	require.Len(t, s.Messages(), 1)

	status, _ = post(`{"to":"","text":"hola"}`, "tok")
	require.Equal(t, http.StatusBadRequest, status)
}

func TestLoadTestdata(t *testing.T) {
	t.Parallel()
	opts, err := fakevendor.LoadTestdata("../../testdata")
	require.NoError(t, err)
	require.NotEmpty(t, opts.Devices)
	require.Contains(t, opts.Coverage, "28001001")

	_, err = fakevendor.LoadTestdata(t.TempDir())
	require.ErrorContains(t, err, "devices.json")
}
