// Command li detects a language with lingua-go, all languages (for the
// binary-size comparison).
package main

import (
	"fmt"
	"os"

	"github.com/pemistahl/lingua-go"
)

func main() {
	d := lingua.NewLanguageDetectorBuilder().FromAllLanguages().Build()
	l, _ := d.DetectLanguageOf(os.Args[1])
	fmt.Println(l)
}
