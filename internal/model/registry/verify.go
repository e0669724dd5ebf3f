package registry

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// VerifyStatus is the outcome of verifying one file.
type VerifyStatus string

// Verify outcomes.
const (
	VerifyOK       VerifyStatus = "ok"
	VerifyMissing  VerifyStatus = "missing"
	VerifyMismatch VerifyStatus = "mismatch"
	// VerifyUnpinned: the file is present but has no known hash to check.
	VerifyUnpinned VerifyStatus = "unpinned"
	VerifyError    VerifyStatus = "error"
)

// VerifyResult reports one file.
type VerifyResult struct {
	ID     string       `json:"id"`
	File   string       `json:"file"`
	Path   string       `json:"path"`
	Status VerifyStatus `json:"status"`
	Want   string       `json:"want,omitempty"`
	Got    string       `json:"got,omitempty"`
	Err    string       `json:"error,omitempty"`
}

// Verify re-hashes every present file of every entry, ignoring the sidecars,
// and compares it with the registry's hash, the pinned one or (for built-in
// models) the embedded file's. It never downloads or deletes anything; good
// sidecars are refreshed. The error is non-nil only when ctx ends or the lock
// file is unreadable; per-file problems are in the results.
func (r *Registry) Verify(ctx context.Context) ([]VerifyResult, error) {
	var out []VerifyResult
	for _, e := range r.doc.Models {
		names, err := r.fileNames(e)
		if err != nil {
			out = append(out, VerifyResult{ID: e.ID, Path: r.Dir(e), Status: VerifyError, Err: err.Error()})
			continue
		}
		want := map[string]string{}
		for _, f := range e.FileList() {
			w, err := r.expectedNoErr(e, f)
			if err != nil {
				return out, err
			}
			want[f.Name] = w
		}
		for _, n := range names {
			if err := ctx.Err(); err != nil {
				return out, err
			}
			res := VerifyResult{ID: e.ID, File: n, Path: r.target(e, n), Want: want[n]}
			if e.Source() == SourceEmbedded && res.Want == "" {
				if res.Want, err = r.embeddedHash(ctx, e.Embedded+"/"+n); err != nil {
					res.Status, res.Err = VerifyError, err.Error()
					out = append(out, res)
					continue
				}
			}
			fi, err := os.Stat(res.Path)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				res.Status = VerifyMissing
			case err != nil:
				res.Status, res.Err = VerifyError, err.Error()
			default:
				res.Got, err = hashFile(ctx, res.Path)
				switch {
				case err != nil:
					if ctx.Err() != nil {
						return out, ctx.Err()
					}
					res.Status, res.Err = VerifyError, err.Error()
				case res.Want == "":
					res.Status = VerifyUnpinned
				case res.Got != res.Want:
					res.Status = VerifyMismatch
					res.Err = mismatch(e, n, res.Want, res.Got).Error()
				default:
					res.Status = VerifyOK
					if e.Source() != SourcePath {
						r.writeSidecar(res.Path, fi, res.Got)
					}
				}
			}
			out = append(out, res)
		}
	}
	return out, nil
}

func (r *Registry) expectedNoErr(e Entry, f File) (string, error) {
	if e.Source() != SourceURL {
		return f.SHA256, nil
	}
	w, err := r.expected(e, f)
	if err != nil {
		return "", fmt.Errorf("verify: %w", err)
	}
	return w, nil
}
