module chan-bench-twin

go 1.19
