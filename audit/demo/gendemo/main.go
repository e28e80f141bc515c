// Command gendemo writes the demo township's files into a folder
// (make demo-data writes assets/demo, which the binary embeds).
package main

import (
	"fmt"
	"os"

	"pensionaudit/audit/demo"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "用法：gendemo 目录")
		os.Exit(2)
	}
	if err := os.MkdirAll(os.Args[1], 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	files, err := demo.Township(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, f := range files {
		fmt.Println(f.Kind, f.Path)
	}
}
