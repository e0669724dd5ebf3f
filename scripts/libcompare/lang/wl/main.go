// Command wl detects a language with whatlanggo (for the binary-size
// comparison).
package main

import (
	"fmt"
	"os"

	"github.com/abadojack/whatlanggo"
)

func main() { fmt.Println(whatlanggo.Detect(os.Args[1]).Lang.Iso6391()) }
