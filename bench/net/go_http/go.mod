module gort.example/net-go-http

go 1.19
