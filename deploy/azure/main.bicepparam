// Parameters for main.bicep; `az deployment group create -g RG -f main.bicep -p main.bicepparam` (or bicep build-params).
using 'main.bicep'

param prefix = 'grid'
param systemVmSize = 'Standard_D4ds_v5'
param systemNodeCount = 2
param gpuVmSize = 'Standard_NC24ads_A100_v4'
param gpuNodeMinCount = 1
param gpuNodeMaxCount = 4
param siloNamespace = 'grid'
param siloServiceAccount = 'grid-silo'
param logRetentionDays = 30
