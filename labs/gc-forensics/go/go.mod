module gc-forensics-twin

go 1.19
