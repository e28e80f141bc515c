//go:build !windows

package cli

// AttachConsole is needed on Windows only.
func AttachConsole() {}
