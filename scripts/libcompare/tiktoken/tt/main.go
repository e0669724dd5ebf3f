// Command tt counts tokens with tiktoken-go/tokenizer (for the binary-size
// comparison).
package main

import (
	"fmt"
	"os"

	tt "github.com/tiktoken-go/tokenizer"
)

func main() {
	c, err := tt.Get(tt.Cl100kBase)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Count(os.Args[1]))
}
