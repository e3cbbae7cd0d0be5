module pool-the-hot-path-twin

go 1.19
