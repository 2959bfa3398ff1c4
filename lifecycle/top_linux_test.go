package lifecycle

import (
	"reflect"
	"testing"
)

func TestFilterPs(t *testing.T) {
	table := "UID          PID    PPID  C STIME TTY          TIME CMD\n" +
		"root           1       0  0 10:00 ?        00:00:01 /sbin/init splash\n" +
		"root         812     800  0 10:01 ?        00:00:00 sleep 100\n" +
		"1000         813     812  0 10:01 pts/0    00:00:00 sh -c echo  a\n"
	header, rows, err := FilterPs(table, []int{812, 813})
	if err != nil {
		t.Fatal(err)
	}
	if len(header) != 8 || header[1] != "PID" {
		t.Fatalf("header %q", header)
	}
	want := [][]string{
		{"root", "812", "800", "0", "10:01", "?", "00:00:00", "sleep 100"},
		{"1000", "813", "812", "0", "10:01", "pts/0", "00:00:00", "sh -c echo  a"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("rows %q", rows)
	}
	if _, _, err := FilterPs("USER COMMAND\nroot sh\n", nil); err == nil {
		t.Fatal("a table without PID must be refused")
	}
}
