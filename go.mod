module github.com/backroom-app/backroom

go 1.26.8

require (
	fyne.io/fyne/v2 v2.7.1 // indirect
	github.com/mattn/go-sqlite3 v1.14.53 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
