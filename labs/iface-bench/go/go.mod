module iface-bench-twin

go 1.19
