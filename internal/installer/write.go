package installer

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// chunk is the write size: large enough for USB throughput, small enough for live progress and
// a prompt reaction to Ctrl-C.
const chunk = 4 << 20

// errNoTerminal is the refusal to write without anyone having typed the device name.
var errNoTerminal = errors.New("refusing to write without confirmation: no terminal to type the device name on (pass -yes to confirm non-interactively)")

// confirm shows what is about to be erased and wants the device's name typed back.
func confirm(in io.Reader, out io.Writer, interactive, yes bool, d Device, image string) error {
	if yes {
		return nil
	}
	if !interactive {
		return errNoTerminal
	}
	fmt.Fprintf(out, "This erases everything on %s (%s, %s, %s) and writes %s to it.\nType the device name (%s) to continue: ",
		d.Path, orDash(strings.TrimSpace(d.Model)), sizeHuman(int64(d.Size)), orDash(d.Tran), filepath.Base(image), d.Name)
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && line == "" {
		return fmt.Errorf("aborted: no answer (%w); nothing was written", err)
	}
	if got := strings.TrimSpace(line); got != d.Name {
		return fmt.Errorf("aborted: typed %q, not %q; nothing was written", got, d.Name)
	}
	return nil
}

// Result is a finished write or verification.
type Result struct {
	Bytes    int64
	SHA256   string
	Duration time.Duration
}

// Progress is called after every chunk with the bytes done so far.
type Progress func(done, total int64)

// write copies the image to the device, fsyncs it and reads it back: the write only counts when
// the device's first len(image) bytes hash like the image. The device is opened O_EXCL, which
// Linux refuses for a block device that is mounted or otherwise in use, as a last guard behind
// checkTarget.
func write(ctx context.Context, image, device string, progress Progress) (Result, error) {
	start := time.Now()
	src, err := os.Open(image)
	if err != nil {
		return Result{}, fmt.Errorf("write %s: %w", image, err)
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return Result{}, fmt.Errorf("write %s: %w", image, err)
	}
	flags := os.O_WRONLY
	if isBlock(device) {
		flags |= unix.O_EXCL
	}
	dst, err := os.OpenFile(device, flags, 0)
	if err != nil {
		return Result{}, fmt.Errorf("write to %s: %w", device, err)
	}
	h := sha256.New()
	n, err := copyChunks(ctx, dst, io.TeeReader(src, h), st.Size(), progress)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Result{}, fmt.Errorf("write to %s after %d bytes: %w", device, n, err)
	}
	want := hex.EncodeToString(h.Sum(nil))
	got, err := Verify(ctx, device, st.Size(), progress)
	if err != nil {
		return Result{}, err
	}
	if got.SHA256 != want {
		return Result{}, fmt.Errorf("verify %s: read back sha256 %s, the image is %s: the stick is faulty or was changed", device, got.SHA256, want)
	}
	return Result{Bytes: n, SHA256: want, Duration: time.Since(start)}, nil
}

// Verify hashes the first size bytes of the device, bypassing the page cache where it can so
// that what is compared is what the device holds, not what was just written to memory.
func Verify(ctx context.Context, device string, size int64, progress Progress) (Result, error) {
	start := time.Now()
	f, err := os.Open(device)
	if err != nil {
		return Result{}, fmt.Errorf("verify %s: %w", device, err)
	}
	defer f.Close()
	_ = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED) // best effort: a file system may ignore it
	h := sha256.New()
	n, err := copyChunks(ctx, h, io.LimitReader(f, size), size, progress)
	if err != nil {
		return Result{}, fmt.Errorf("verify %s: %w", device, err)
	}
	if n != size {
		return Result{}, fmt.Errorf("verify %s: the device ends after %d bytes, the image has %d", device, n, size)
	}
	return Result{Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil)), Duration: time.Since(start)}, nil
}

// FileSHA256 hashes a whole file.
func FileSHA256(ctx context.Context, name string) (Result, error) {
	st, err := os.Stat(name)
	if err != nil {
		return Result{}, err
	}
	return Verify(ctx, name, st.Size(), nil)
}

func copyChunks(ctx context.Context, w io.Writer, r io.Reader, total int64, progress Progress) (int64, error) {
	buf := make([]byte, chunk)
	var done int64
	for {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return done, err
			}
			done += int64(n)
			if progress != nil {
				progress(done, total)
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			return done, nil
		}
		if rerr != nil {
			return done, rerr
		}
	}
}

func isBlock(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode()&os.ModeDevice != 0 && st.Mode()&os.ModeCharDevice == 0
}

// ProgressPrinter renders progress as one rewritten line on a terminal, or a line per 10%
// elsewhere.
func ProgressPrinter(w io.Writer, what string, terminal bool) Progress {
	start := time.Now()
	lastTenth := int64(-1)
	return func(done, total int64) {
		pct := int64(100)
		if total > 0 {
			pct = done * 100 / total
		}
		rate := float64(done) / max(time.Since(start).Seconds(), 0.001)
		line := fmt.Sprintf("%s %3d%%  %s / %s  %s/s", what, pct, sizeHuman(done), sizeHuman(total), sizeHuman(int64(rate)))
		switch {
		case terminal:
			fmt.Fprintf(w, "\r\033[K%s", line)
			if done == total {
				fmt.Fprintln(w)
			}
		case pct/10 != lastTenth:
			lastTenth = pct / 10
			fmt.Fprintln(w, line)
		}
	}
}

// WriteRequest is one iso:write.
type WriteRequest struct {
	Image       string
	Device      string // a /dev path or a symlink to one, such as /dev/disk/by-id/usb-...
	Force       bool   // allow a non-removable disk
	Yes         bool   // skip typing the device name
	Interactive bool   // In is a terminal someone can type on
	In          io.Reader
	Out         io.Writer // the prompt
	Progress    Progress
}

// WriteImage checks the target against the machine's current block devices, asks for the
// confirmation, writes and verifies. Nothing is opened for writing before every check passed.
func WriteImage(ctx context.Context, lsblk func(context.Context) ([]Device, error), req WriteRequest) (Device, Result, error) {
	st, err := os.Stat(req.Image)
	if err != nil {
		return Device{}, Result{}, fmt.Errorf("image: %w", err)
	}
	if !st.Mode().IsRegular() {
		return Device{}, Result{}, fmt.Errorf("image %s: not a regular file", req.Image)
	}
	path, err := filepath.EvalSymlinks(req.Device)
	if err != nil {
		return Device{}, Result{}, fmt.Errorf("refusing to write to %s: %w", req.Device, err)
	}
	devs, err := lsblk(ctx)
	if err != nil {
		return Device{}, Result{}, err
	}
	d, err := checkTarget(devs, path, st.Size(), req.Force)
	if err != nil {
		return d, Result{}, err
	}
	if !isBlock(path) {
		return d, Result{}, fmt.Errorf("refusing to write to %s: not a block device", path)
	}
	if err := confirm(req.In, req.Out, req.Interactive, req.Yes, d, req.Image); err != nil {
		return d, Result{}, err
	}
	res, err := write(ctx, req.Image, path, req.Progress)
	return d, res, err
}
