package cli

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/llmshield/llmshield/tokenizer"
)

func (a *app) tokenizeCommand() *cobra.Command {
	var (
		path    string
		special bool
		maxLen  int
	)
	cmd := &cobra.Command{
		Use:   "tokenize --tokenizer PATH [--special] [--max-length N]",
		Short: `Tokenize JSONL {"text"} lines from standard input into {"ids","offsets"} lines`,
		Long: `Read one {"text"} object per line on standard input and write {"ids","offsets"} per line.
PATH is a Hugging Face tokenizer.json, a SentencePiece .model file, or a directory holding one.
Offsets are UTF-8 byte offsets into the text. --special adds the model's special tokens;
--max-length N (with 0 meaning no limit) truncates to N ids.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if path == "" {
				return errors.New("--tokenizer is required")
			}
			if maxLen < 0 {
				return errors.New("--max-length must not be negative")
			}
			cfg := tokenizer.Config{AddSpecialTokens: special}
			if maxLen > 0 {
				cfg.MaxLength, cfg.Truncate = maxLen, true
			}
			tok, err := tokenizer.Load(path, cfg)
			if err != nil {
				return err
			}
			return tokenizer.RunTokenizeJSONL(cmd.Context(), tok, a.streams.In, a.streams.Out, special)
		},
	}
	cmd.Flags().StringVar(&path, "tokenizer", "", "tokenizer.json, .model file, or model directory")
	cmd.Flags().BoolVar(&special, "special", false, "add special tokens ([CLS] … [SEP])")
	cmd.Flags().IntVar(&maxLen, "max-length", 0, "truncate to this many ids (0: no limit)")
	return cmd
}
