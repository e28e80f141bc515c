// Command gendemo writes the demo township's files into a folder
// (make demo-data writes assets/demo, which the binary embeds); with -year N
// it writes instead a year of another township's real-shaped files for N
// payees (grouped amounts, one sheet per village, township-wide lists …),
// the shapes the year test scores.
package main

import (
	"flag"
	"fmt"
	"os"

	"pensionaudit/audit/demo"
)

func main() {
	year := flag.Int("year", 0, "写出另一个乡镇一年的文件，参数为领取人数（0：写演示乡镇）")
	flag.Usage = func() { fmt.Fprintln(os.Stderr, "用法：gendemo [-year 人数] 目录") }
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	dir := flag.Arg(0)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var files []demo.File
	var err error
	if *year > 0 {
		files, _, err = demo.Year(dir, *year, 1)
	} else {
		if files, err = demo.Township(dir); err == nil {
			var more []demo.File
			more, err = demo.Sources(dir)
			files = append(files, more...)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, f := range files {
		fmt.Println(f.Kind, f.Path)
	}
}
