module escape-clinic-twin

go 1.19
