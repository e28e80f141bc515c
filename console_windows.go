//go:build windows

package main

import (
	"os"
	"syscall"
)

// attachConsole lets the command line work from cmd.exe or PowerShell even
// though the binary is linked as a GUI program (-H=windowsgui): it attaches
// to the parent's console and points stdout and stderr at it.
func attachConsole() {
	const attachParentProcess = ^uintptr(0) // (DWORD)-1
	proc := syscall.NewLazyDLL("kernel32.dll").NewProc("AttachConsole")
	if r, _, _ := proc.Call(attachParentProcess); r == 0 {
		return
	}
	if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
		os.Stdout, os.Stderr = f, f
	}
	if f, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
		os.Stdin = f
	}
}
