// Command pk counts tokens with pkoukk/tiktoken-go and its offline loader
// (for the binary-size comparison).
package main

import (
	"fmt"
	"os"

	pk "github.com/pkoukk/tiktoken-go"
	pkloader "github.com/pkoukk/tiktoken-go-loader"
)

func main() {
	pk.SetBpeLoader(pkloader.NewOfflineLoader())
	e, err := pk.GetEncoding("cl100k_base")
	if err != nil {
		panic(err)
	}
	fmt.Println(len(e.Encode(os.Args[1], nil, nil)))
}
