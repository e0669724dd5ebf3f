package registry

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
)

// WriteList prints the registry's entries as a table for
// `llmshield models list`: id, task, variant, source, size, whether the
// files are on disk, and the human name.
func WriteList(w io.Writer, r *Registry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTASK\tVARIANT\tSOURCE\tSIZE\tSTATE\tNAME")
	for _, e := range r.List() {
		state := "present"
		if _, err := r.Path(e.ID); err != nil {
			state = "missing"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.Task, e.Variant, e.Source(), humanSize(entrySize(e)), state, e.Name)
	}
	return tw.Flush()
}

// WriteVerify prints Verify's results for `llmshield models verify` and
// reports whether every file was ok (missing, mismatched, unpinned and
// unreadable files are not).
func WriteVerify(w io.Writer, results []VerifyResult) (bool, error) {
	allOK := true
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tFILE\tSTATUS\tDETAIL")
	for _, v := range results {
		// A file that is not there has nothing to verify: only what is
		// present and wrong fails.
		if v.Status != VerifyOK && v.Status != VerifyMissing {
			allOK = false
		}
		detail := v.Err
		if v.Status == VerifyMissing {
			detail = "not downloaded (llmshield models pull " + v.ID + ")"
		}
		if detail == "" && v.Status == VerifyOK {
			detail = "sha256 " + v.Got
		}
		if v.Status == VerifyUnpinned {
			detail = "no known hash; got " + v.Got
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.ID, v.File, v.Status, detail)
	}
	return allOK, tw.Flush()
}

func entrySize(e Entry) int64 {
	var n int64
	for _, f := range e.FileList() {
		if f.SizeBytes <= 0 {
			return -1
		}
		n += f.SizeBytes
	}
	if len(e.FileList()) == 0 {
		return -1
	}
	return n
}

func humanSize(n int64) string {
	if n < 0 {
		return "?"
	}
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
