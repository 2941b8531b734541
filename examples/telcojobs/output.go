package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// printJSON writes v as one JSON object followed by a newline. Empty lists
// are printed as [] rather than null.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(withEmptySlices(v))
}

// isTerminal reports whether f is an interactive terminal.
func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}

// terminalProgress draws a ports.Progress as a progress bar on standard
// error, or as a spinner with a count while the total is unknown.
type terminalProgress struct {
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	label string
	w     io.Writer
	done  int64
}

func newTerminalProgress(w io.Writer, label string) *terminalProgress {
	return &terminalProgress{w: w, label: label}
}

// Total implements ports.Progress.
func (p *terminalProgress) Total(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil || p.bar.GetMax64() < 0 {
		p.bar = p.newBar(n)
		_ = p.bar.Set64(p.done)
		return
	}
	p.bar.ChangeMax64(n)
}

// newBar builds a bar of total steps; a negative total draws a spinner.
func (p *terminalProgress) newBar(total int64) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(p.label),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100_000_000),
	)
}

// Add implements ports.Progress.
func (p *terminalProgress) Add(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if p.bar == nil {
		p.bar = p.newBar(-1)
	}
	_ = p.bar.Add64(n)
}

// finish clears the bar so the summary starts on a clean line.
func (p *terminalProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
		fmt.Fprint(p.w, "\r")
	}
}

// printJSONResult prints the result of a job run as one JSON object. When
// the run failed, the object also has an "error" field with the message, or
// "job_error" when the result has an "error" field of its own. A nil or
// empty result is then left out, so that zero values are not mistaken for
// counts.
func printJSONResult(w io.Writer, result any, runErr error) error {
	if runErr == nil {
		return printJSON(w, result)
	}
	if result == nil || reflect.ValueOf(result).IsZero() {
		return printJSON(w, map[string]string{"error": runErr.Error()})
	}

	b, err := json.Marshal(withEmptySlices(result))
	if err != nil {
		return err
	}
	msg, err := json.Marshal(runErr.Error())
	if err != nil {
		return err
	}
	// A result may have an "error" field of its own, such as the cause
	// of a failed send; the run's error then goes under "job_error".
	key := `"error":`
	if bytes.Contains(b, []byte(`"error":`)) {
		key = `"job_error":`
	}
	b = bytes.TrimSuffix(bytes.TrimSpace(b), []byte("}"))
	if len(b) > 1 {
		b = append(b, ',')
	}
	b = append(append(append(b, []byte(key)...), msg...), '}', '\n')
	_, err = w.Write(b)
	return err
}

// withEmptySlices returns a copy of v in which every nil slice, at any depth
// of structs and slices, is an empty one, so that --json prints [] rather
// than null for an empty list.
func withEmptySlices(v any) any {
	if v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	out := reflect.New(rv.Type()).Elem()
	out.Set(rv)
	fillSlices(out)
	return out.Interface()
}

func fillSlices(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || !v.Elem().CanSet() {
			return
		}
		elem := reflect.New(v.Elem().Type())
		elem.Elem().Set(v.Elem())
		fillSlices(elem.Elem())
		v.Set(elem)
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				fillSlices(f)
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			if v.Type().Elem().Kind() != reflect.Uint8 {
				v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			}
			return
		}
		copied := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(copied, v)
		for i := range copied.Len() {
			fillSlices(copied.Index(i))
		}
		v.Set(copied)
	}
}
