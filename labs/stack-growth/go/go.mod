module stack-growth-twin

go 1.19
