package workspace

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pensionaudit/audit"
)

// A second window on the same workspace is refused, saying who has it;
// once the first lets go — or its process is gone, leaving only the file —
// the workspace can be claimed again.
func TestOneWindowPerWorkspace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "东风镇.db")
	release, err := Claim(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Claim(path)
	if !errors.Is(err, audit.ErrInUse) || !strings.Contains(err.Error(), "进程 "+strconv.Itoa(os.Getpid())) || !strings.Contains(err.Error(), "东风镇.db") {
		t.Fatalf("a second claim: %v", err)
	}
	// another workspace is not held by this one
	other, err := Claim(filepath.Join(filepath.Dir(path), "西河乡.db"))
	if err != nil {
		t.Fatalf("another workspace: %v", err)
	}
	other()
	release()
	if _, err := os.Stat(path + ".lock"); !os.IsNotExist(err) {
		t.Errorf("the lock file stays after release: %v", err)
	}
	// a lock file left by a process that died holds nothing: its lock died with it
	os.WriteFile(path+".lock", []byte("电脑 旧电脑（账户 x，进程 1，2024-01-01 08:00 起）"), 0o644)
	again, err := Claim(path)
	if err != nil {
		t.Fatalf("after the holder is gone: %v", err)
	}
	again()
}

// The claim is the operating system's lock: a window in another process
// holds it, and when that process is killed (a crash, a power cut of the
// program) the lock goes with it.
func TestClaimAcrossProcesses(t *testing.T) {
	if p := os.Getenv("PENSIONAUDIT_HOLD_CLAIM"); p != "" {
		if _, err := Claim(p); err != nil {
			os.Stdout.WriteString("refused\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("held\n")
		select {} // until killed
	}
	path := filepath.Join(t.TempDir(), "东风镇.db")
	cmd := exec.Command(os.Args[0], "-test.run", "^TestClaimAcrossProcesses$")
	cmd.Env = append(os.Environ(), "PENSIONAUDIT_HOLD_CLAIM="+path)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "held\n" {
		cmd.Process.Kill()
		t.Fatalf("the other process: %q", line)
	}
	_, err := Claim(path)
	if !errors.Is(err, audit.ErrInUse) || !strings.Contains(err.Error(), "进程 "+strconv.Itoa(cmd.Process.Pid)) {
		t.Errorf("while another process holds it: %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	release, err := Claim(path)
	if err != nil {
		t.Fatalf("after the other process was killed: %v", err)
	}
	release()
}
