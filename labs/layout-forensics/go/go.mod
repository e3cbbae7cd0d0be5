module layout-forensics-twin

go 1.19
