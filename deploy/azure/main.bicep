// The grid's Azure resources, into one resource group: AKS (a system pool and a tainted GPU user pool, OIDC issuer and
// workload identity on, Container insights to Log Analytics), a storage account whose tables hold the Orleans
// membership and the request state, a container registry, and the silos' user-assigned managed identity.
//   az deployment group create -g RG -f deploy/azure/main.bicep -p deploy/azure/main.bicepparam
// Outputs are what deploy/k8s/configure.sh needs.

@description('Region of every resource; defaults to the resource group\'s.')
param location string = resourceGroup().location

@description('Prefix of every resource name (lowercase letters and digits).')
@minLength(3)
@maxLength(11)
param prefix string = 'grid'

@description('VM size of the system pool (also runs CPU silos).')
param systemVmSize string = 'Standard_D4ds_v5'

@description('Nodes in the system pool.')
@minValue(1)
@maxValue(10)
param systemNodeCount int = 2

@description('VM size of the GPU pool: one silo per GPU (NC A100 v4: one A100 80 GB per Standard_NC24ads_A100_v4).')
param gpuVmSize string = 'Standard_NC24ads_A100_v4'

@description('Fewest GPU nodes the cluster autoscaler keeps.')
@minValue(0)
@maxValue(100)
param gpuNodeMinCount int = 1

@description('Most GPU nodes the cluster autoscaler adds (the GPU overlay\'s HPA maxReplicas should not exceed it).')
@minValue(1)
@maxValue(100)
param gpuNodeMaxCount int = 4

@description('Namespace and service account of the silos (deploy/k8s/base): the federated credential trusts exactly this account.')
param siloNamespace string = 'grid'
param siloServiceAccount string = 'grid-silo'

@description('Days Log Analytics keeps container logs and metrics.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

var suffix = uniqueString(resourceGroup().id)
var clusterName = '${prefix}-aks'
// Built-in role definitions (the same id in every tenant).
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource logs 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: '${prefix}-logs-${suffix}'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: take('${prefix}st${suffix}', 24)
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // The silos reach the tables with their managed identity (Entra ID) only; no account keys in the cluster.
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

// Grid:AzureStorage:ClusteringTable and :RequestsTable defaults; the silos would create them, but an identity that may
// only read and write data should not have to.
resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' = [
  for table in ['GridSilos', 'GridRequests']: {
    parent: tableService
    name: table
  }
]

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: take('${prefix}acr${suffix}', 50)
  location: location
  sku: {
    name: 'Standard'
  }
  properties: {
    adminUserEnabled: false
  }
}

resource siloIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${prefix}-silo-identity'
  location: location
}

resource aks 'Microsoft.ContainerService/managedClusters@2025-05-01' = {
  name: clusterName
  location: location
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    dnsPrefix: clusterName
    agentPoolProfiles: [
      {
        name: 'system'
        mode: 'System'
        vmSize: systemVmSize
        count: systemNodeCount
        osType: 'Linux'
        osSKU: 'Ubuntu'
        type: 'VirtualMachineScaleSets'
      }
      {
        // Pool name = node label agentpool=gpu, which the GPU overlay selects; the taint keeps every pod without
        // the matching toleration (deploy/k8s/overlays/gpu) off these expensive nodes.
        name: 'gpu'
        mode: 'User'
        vmSize: gpuVmSize
        count: gpuNodeMinCount
        minCount: gpuNodeMinCount
        maxCount: gpuNodeMaxCount
        enableAutoScaling: true
        osType: 'Linux'
        osSKU: 'Ubuntu'
        type: 'VirtualMachineScaleSets'
        nodeTaints: [
          'sku=gpu:NoSchedule'
        ]
      }
    ]
    oidcIssuerProfile: {
      enabled: true
    }
    securityProfile: {
      workloadIdentity: {
        enabled: true
      }
    }
    addonProfiles: {
      omsagent: {
        enabled: true
        config: {
          logAnalyticsWorkspaceResourceID: logs.id
          useAADAuth: 'true'
        }
      }
    }
    networkProfile: {
      networkPlugin: 'azure'
      networkPluginMode: 'overlay'
    }
  }
}

// Container insights with managed-identity auth (useAADAuth above) sends through a data collection rule associated
// with the cluster: container logs, inventory and performance to the workspace.
resource insightsRule 'Microsoft.Insights/dataCollectionRules@2023-03-11' = {
  name: 'MSCI-${location}-${clusterName}'
  location: location
  kind: 'Linux'
  properties: {
    dataSources: {
      extensions: [
        {
          name: 'ContainerInsightsExtension'
          extensionName: 'ContainerInsights'
          streams: [
            'Microsoft-ContainerInsights-Group-Default'
          ]
          extensionSettings: {
            dataCollectionSettings: {
              interval: '1m'
              namespaceFilteringMode: 'Off'
              enableContainerLogV2: true
            }
          }
        }
      ]
    }
    destinations: {
      logAnalytics: [
        {
          name: 'workspace'
          workspaceResourceId: logs.id
        }
      ]
    }
    dataFlows: [
      {
        streams: [
          'Microsoft-ContainerInsights-Group-Default'
        ]
        destinations: [
          'workspace'
        ]
      }
    ]
  }
}

resource insightsAssociation 'Microsoft.Insights/dataCollectionRuleAssociations@2023-03-11' = {
  name: 'ContainerInsightsExtension'
  scope: aks
  properties: {
    dataCollectionRuleId: insightsRule.id
  }
}

// The silos' pods (service account grid/grid-silo) sign in as siloIdentity through the cluster's OIDC issuer.
resource federation 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2024-11-30' = {
  parent: siloIdentity
  name: 'aks-${siloNamespace}-${siloServiceAccount}'
  properties: {
    issuer: aks.properties.oidcIssuerProfile.issuerURL
    subject: 'system:serviceaccount:${siloNamespace}:${siloServiceAccount}'
    audiences: [
      'api://AzureADTokenExchange'
    ]
  }
}

resource siloTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, siloIdentity.id, storageTableDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: siloIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The kubelet pulls the silo images from the registry with its own identity.
resource kubeletPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: registry
  name: guid(registry.id, aks.id, acrPull)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
    principalId: aks.properties.identityProfile.kubeletidentity.objectId
    principalType: 'ServicePrincipal'
  }
}

@description('Grid:AzureStorage:TableEndpoint for the silos.')
output tableEndpoint string = storage.properties.primaryEndpoints.table

@description('Where az acr build pushes the images and the kubelet pulls them.')
output acrLoginServer string = registry.properties.loginServer

@description('The service account annotation azure.workload.identity/client-id.')
output identityClientId string = siloIdentity.properties.clientId

output aksName string = aks.name
output acrName string = registry.name
output storageAccountName string = storage.name
