module survival-pool-twin

go 1.19
