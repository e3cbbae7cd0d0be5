module spsc-ring-twin

go 1.19
