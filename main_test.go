package main

import (
	"runtime"
	"testing"
)

// Without a display the window is not attempted (the library would panic
// with a stack trace); with one it is.
func TestNoDisplay(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("跳过：只在 Linux 上检查 DISPLAY")
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	if !noDisplay() {
		t.Error("no display not noticed")
	}
	t.Setenv("DISPLAY", ":0")
	if noDisplay() {
		t.Error("DISPLAY=:0 taken for no display")
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "wayland-0")
	if noDisplay() {
		t.Error("a Wayland session taken for no display")
	}
}
