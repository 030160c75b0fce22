//go:build unix

package data

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// shmDeadManByte is the byte of the -shm file on which every connection to a WAL database holds a read
// lock for as long as it is open (SQLite's unix VFS: UNIX_SHM_DMS).
const shmDeadManByte = 128

// inUseElsewhere reports, as an error for the owner, that another program has the database at dbPath
// open: replacing the file under it would send its later writes to the file moved aside. The caller's
// own connections must be closed already, since POSIX locks of this process are not seen, and closing
// the probe would drop them.
func inUseElsewhere(dbPath string) error {
	f, err := os.Open(dbPath + "-shm")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return nil // nothing to probe; the rename that follows reports a real problem
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: shmDeadManByte, Len: 1}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		return nil
	}
	if lk.Type != syscall.F_UNLCK {
		return errorf(ErrConflict, "%s is open in another Backroom (process %d). Close it, then restore.", dbPath, lk.Pid)
	}
	return nil
}
