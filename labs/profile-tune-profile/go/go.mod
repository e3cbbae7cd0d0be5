module profile-tune-profile-twin

go 1.19
