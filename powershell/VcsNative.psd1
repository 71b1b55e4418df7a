@{
    RootModule           = 'VcsNative.Commands.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5f0c7c1e-3b7a-4d0e-9a61-2c4f7f2b9d10'
    Author               = 'vcs-native developers'
    CompanyName          = 'vcs-native'
    Copyright            = '(c) vcs-native developers. Apache-2.0.'
    Description          = 'User management for VMware Cloud Services Platform organizations and Cloud Director tenants: the cmdlets of PowerCLI''s VMware.CloudServices module, compiled, over a native library. Imports in milliseconds on Linux, macOS and Windows.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('VcsNative.Format.ps1xml')
    TypesToProcess       = @('VcsNative.Types.ps1xml')
    CmdletsToExport      = @(
        'Connect-Vcs'
        'Disconnect-Vcs'
        'New-VcsOAuthSecurityContext'
        'Get-VcsOrganizationRole'
        'Get-VcsService'
        'Get-VcsServiceRole'
        'Get-VcsUser'
        'Get-VcsUserInvitation'
        'New-VcsUserInvitation'
        'Remove-VcsUser'
        'Remove-VcsUserInvitation'
        'Connect-Vcd'
        'Disconnect-Vcd'
        'Get-VcdUser'
        'New-VcdUser'
        'Set-VcdUser'
        'Remove-VcdUser'
        'Get-VcdRole'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('VMware', 'CSP', 'CloudServices', 'CloudDirector', 'PowerCLI', 'PSEdition_Core', 'Linux', 'MacOS', 'Windows')
            LicenseUri   = 'https://www.apache.org/licenses/LICENSE-2.0'
            ReleaseNotes = 'First release: the eleven VMware.CloudServices cmdlets, and Cloud Director users (Connect-Vcd, Get-VcdUser, New-VcdUser, Set-VcdUser, Remove-VcdUser, Get-VcdRole).'
        }
    }
}
