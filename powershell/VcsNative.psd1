@{
    RootModule           = 'VcsNative.Commands.dll'
    ModuleVersion        = '0.2.0'
    GUID                 = '5f0c7c1e-3b7a-4d0e-9a61-2c4f7f2b9d10'
    Author               = 'vcs-native developers'
    CompanyName          = 'vcs-native'
    Copyright            = '(c) vcs-native developers. Apache-2.0.'
    Description          = 'User management for VMware Cloud Services Platform organizations and Cloud Director tenants: the cmdlets of PowerCLI''s VMware.CloudServices module, compiled, over a native library. Imports in milliseconds on Linux, macOS and Windows.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('VcsNative.Format.ps1xml')
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
        'Connect-CIServer'
        'Disconnect-CIServer'
        'Get-CIUser'
        'Get-CIRole'
        'Set-VcsUser'
        'Export-VcsUser'
        'Export-VcdUser'
        'Sync-VcsUser'
        'Sync-VcdUser'
    )
    # Compiled cmdlets only. $DefaultVcsServers, $DefaultVcdServers and $DefaultCIServers are global variables that
    # the module sets itself, not module variables, so nothing is listed here.
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('VMware', 'CSP', 'CloudServices', 'CloudDirector', 'VCD', 'PowerCLI', 'UserManagement', 'PSEdition_Core', 'Linux', 'MacOS', 'Windows')
            # The text of the LICENSE file the package carries at its root. ProjectUri: the project
            # names no home of its own, so a release gives it when packing
            # (dotnet pack -p:VcsProjectUri=URL writes it here, in the packaged copy).
            LicenseUri   = 'https://www.apache.org/licenses/LICENSE-2.0'
            ReleaseNotes = @'
Platforms: the package holds the native library of each platform in a folder of its own, and PowerShell loads the one of the machine it runs on. A release carries linux-x64, linux-arm64, osx-x64, osx-arm64 and win-x64 (libvcs_native.so, libvcs_native.dylib, vcs_native.dll), each stripped; a package packed on one machine carries that machine's folder (linux-x64 where it was packed on Linux x64). Install with Install-PSResource VcsNative; then #Requires -Modules VcsNative and Import-Module VcsNative find it by name.
0.2.0: the module is compiled. The eighteen cmdlets are C# cmdlets in VcsNative.Commands.dll over the native library: nothing is compiled (no Add-Type) and nothing is written to the home folder at import. Output objects are typed: the CSP objects implement PowerCLI's interfaces (VMware.CloudServices.Types.V1.CmdletOutput.IVcsUser, ...), so -is checks and type constraints work. Get-Help documents every command, parameter and output. Filters refuse empty values; -Id looks each id up and reports each unknown one; -Server takes objects or names with wildcards; secrets take SecureString or text and never appear in output. Removals ask for confirmation (ConfirmImpact High) unless -Force or -Confirm:$false, and fail without removing anything where the host cannot ask. Bulk commands make one library call per server and report item by item. Needs PowerShell 7.4 or later.
0.1.0: first release, a script module: the eleven VMware.CloudServices cmdlets, and Cloud Director users (Connect-Vcd, Get-VcdUser, New-VcdUser, Set-VcdUser, Remove-VcdUser, Get-VcdRole).
'@
        }
    }
}
