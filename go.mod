module github.com/joinedup/joinedup

go 1.26
