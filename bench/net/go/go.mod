module gort/bench/net/go

go 1.19
