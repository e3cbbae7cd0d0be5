module schedule-forensics-twin

go 1.19
