module context-discipline-twin

go 1.19
