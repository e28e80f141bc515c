//go:build windows

package cli

import (
	"os"
	"syscall"
)

// AttachConsole lets the command line work from cmd.exe or PowerShell even
// though the binary is linked as a GUI program (-H=windowsgui): it attaches
// to the parent's console and points stdout and stderr at it.
func AttachConsole() {
	const attachParentProcess = ^uintptr(0) // (DWORD)-1
	proc := syscall.NewLazyDLL("kernel32.dll").NewProc("AttachConsole")
	if r, _, _ := proc.Call(attachParentProcess); r == 0 {
		return
	}
	// Keep handles the parent redirected (a pipe with the password, a file).
	usable := func(f *os.File) bool { _, err := f.Stat(); return f != nil && err == nil }
	if out, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
		if !usable(os.Stdout) {
			os.Stdout = out
		}
		if !usable(os.Stderr) {
			os.Stderr = out
		}
	}
	if !usable(os.Stdin) {
		if in, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
			os.Stdin = in
		}
	}
}
