module evacmap-lab-go

go 1.19
