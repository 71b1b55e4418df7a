# VcsNative: PowerCLI's VMware.CloudServices cmdlets over the vcs-native library.
# This layer binds parameters, walks the pipeline, asks ShouldProcess and shapes output objects.
# Filtering, paging, retries and validation happen in the library (through the C ABI).

# Strict about unset variables; answers may lack optional properties, so not about properties.
Set-StrictMode -Version 1.0

$script:ModuleRoot = $PSScriptRoot
$script:TypePrefix = 'VMware.CloudServices'

#region Loading the interop and the native library

function Get-VcsRuntimeIdentifier {
    $arch = [System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture.ToString().ToLowerInvariant()
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    "$os-$arch"
}

function Initialize-VcsInterop {
    if ('VcsNative.Vcs' -as [type]) { return }
    $source = Join-Path $script:ModuleRoot 'VcsNative.cs'
    # Compiling costs a few hundred milliseconds, so the assembly is compiled once per version of
    # the interop source and of PowerShell, and loaded from the cache afterwards.
    $hash = (Get-FileHash -LiteralPath $source -Algorithm SHA256).Hash.Substring(0, 16)
    $cacheRoot = if ($IsWindows) { $env:LOCALAPPDATA } else { Join-Path $HOME '.cache' }
    $cacheDir = Join-Path $cacheRoot 'vcs-native'
    $assembly = Join-Path $cacheDir "VcsNative.Interop.$hash.$($PSVersionTable.PSVersion).dll"
    if (Test-Path -LiteralPath $assembly) {
        Add-Type -LiteralPath $assembly
    } else {
        $null = New-Item -ItemType Directory -Force -Path $cacheDir
        try {
            Add-Type -LiteralPath $source -OutputAssembly $assembly -OutputType Library
            Add-Type -LiteralPath $assembly
        } catch {
            Add-Type -LiteralPath $source
        }
    }
    $rid = Get-VcsRuntimeIdentifier
    $file = if ($IsWindows) { 'vcs_native.dll' } elseif ($IsMacOS) { 'libvcs_native.dylib' } else { 'libvcs_native.so' }
    $library = Join-Path $script:ModuleRoot $rid $file
    if (-not (Test-Path -LiteralPath $library)) {
        throw "VcsNative: the native library for $rid is missing ($library). Build it and stage it with powershell/stage-module.sh."
    }
    [VcsNative.Vcs]::Initialize($library)
}

Initialize-VcsInterop

#endregion

#region Shared helpers

if (-not (Get-Variable -Name DefaultVcsServers -Scope Global -ErrorAction SilentlyContinue)) {
    $global:DefaultVcsServers = [System.Collections.ArrayList]::new()
}

$script:CategoryMap = @{
    invalidArgument = [System.Management.Automation.ErrorCategory]::InvalidArgument
    authentication  = [System.Management.Automation.ErrorCategory]::AuthenticationError
    permission      = [System.Management.Automation.ErrorCategory]::PermissionDenied
    notFound        = [System.Management.Automation.ErrorCategory]::ObjectNotFound
    conflict        = [System.Management.Automation.ErrorCategory]::ResourceExists
    rateLimited     = [System.Management.Automation.ErrorCategory]::LimitsExceeded
    server          = [System.Management.Automation.ErrorCategory]::InvalidResult
    network         = [System.Management.Automation.ErrorCategory]::ConnectionError
    timeout         = [System.Management.Automation.ErrorCategory]::OperationTimeout
    protocol        = [System.Management.Automation.ErrorCategory]::InvalidData
    internal        = [System.Management.Automation.ErrorCategory]::NotSpecified
}

function ConvertTo-VcsJson([object] $Value) {
    ConvertTo-Json -InputObject $Value -Compress -Depth 10
}

function New-VcsErrorRecord([object] $ErrorObject, [object] $Target) {
    $category = [string]$ErrorObject.category
    $message = [string]$ErrorObject.message
    if ($ErrorObject.PSObject.Properties['requestId'] -and $ErrorObject.requestId) {
        $message += " (request id $($ErrorObject.requestId))"
    }
    $psCategory = $script:CategoryMap[$category]
    if ($null -eq $psCategory) { $psCategory = [System.Management.Automation.ErrorCategory]::NotSpecified }
    $exception = [System.Exception]::new($message)
    $exception.Data['Category'] = $category
    if ($ErrorObject.PSObject.Properties['httpStatus']) { $exception.Data['HttpStatus'] = $ErrorObject.httpStatus }
    [System.Management.Automation.ErrorRecord]::new($exception, "Vcs.$category", $psCategory, $Target)
}

# Turns a library result into objects, or into an error (terminating for the whole call).
function Resolve-VcsResult {
    param([Parameter(Mandatory)] [VcsNative.VcsResult] $Result, [System.Management.Automation.PSCmdlet] $Cmdlet, [object] $Target)
    # -NoEnumerate keeps [] and [x] arrays, so callers always get the list the library sent.
    $parsed = $null
    if ($Result.Json) { $parsed = ConvertFrom-Json -InputObject $Result.Json -NoEnumerate }
    if ($Result.IsReport) {
        # An array leaves as one object (the unary comma), so `foreach` walks its items; an object as itself.
        if ($parsed -is [array]) { return , $parsed }
        return $parsed
    }
    $Cmdlet.ThrowTerminatingError((New-VcsErrorRecord -ErrorObject $parsed -Target $Target))
}

function Add-VcsTypeName([psobject] $Object, [string] $Name) {
    $Object.PSObject.TypeNames.Insert(0, "$script:TypePrefix.Types.V1.CmdletOutput.I$Name")
    $Object.PSObject.TypeNames.Insert(0, "$script:TypePrefix.Impl.V1.CmdletOutput.${Name}Impl")
    $Object
}

function ConvertTo-VcsUser($u, $Server) {
    Add-VcsTypeName ([pscustomobject]@{
            Id = $u.id; Name = $u.name; Username = $u.username; Email = $u.email; Uid = $u.uid
            FirstName = $u.firstName; LastName = $u.lastName
            OrganizationRoles = @($u.organizationRoles); ServiceRoles = @($u.serviceRoles); Server = $Server
        }) 'VcsUser'
}

function ConvertTo-VcsInvitation($i, $Server) {
    # ConvertFrom-Json already turns ISO 8601 text into DateTime; parse only what it left as text.
    $date = { param($v) if ($v -is [datetime]) { $v } elseif ($v) { [datetime]::Parse($v, [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind) } }
    Add-VcsTypeName ([pscustomobject]@{
            Id = $i.id; Name = $i.name; Email = $i.email; Status = $i.status; Uid = $i.uid
            CreatedBy = $i.createdBy; CreatedDate = & $date $i.createdDate; ExpiredDate = & $date $i.expiredDate
            RedeemedBy = $i.redeemedBy; RedeemedDate = & $date $i.redeemedDate
            OrganizationRoles = @($i.organizationRoles); ServiceRoles = @($i.serviceRoles); Server = $Server
        }) 'VcsUserInvitation'
}

function ConvertTo-VcsOrganizationRole($r, $Server) {
    Add-VcsTypeName ([pscustomobject]@{ Id = $r.id; Name = $r.name; DisplayName = $r.displayName; Uid = $r.uid; Server = $Server }) 'VcsOrganizationRole'
}

function ConvertTo-VcsService($s, $Server) {
    Add-VcsTypeName ([pscustomobject]@{
            Id = $s.id; Name = $s.name; TechnicalName = $s.technicalName; Description = $s.description
            SelfLink = $s.selfLink; Uid = $s.uid; Server = $Server
        }) 'VcsService'
}

function ConvertTo-VcsServiceRole($r, $Server) {
    Add-VcsTypeName ([pscustomobject]@{
            Id = $r.id; Name = $r.name; DisplayName = $r.displayName; ServiceId = $r.serviceId
            ServiceName = $r.serviceName; Uid = $r.uid; Server = $Server
        }) 'VcsServiceRole'
}

# The servers a cmdlet acts on: -Server, or the default connections.
function Get-VcsTargetServer([object[]] $Server, [System.Management.Automation.PSCmdlet] $Cmdlet) {
    $targets = @(if ($Server) { $Server } else { $global:DefaultVcsServers })
    if (-not $targets -or $targets.Count -eq 0) {
        $record = New-VcsErrorRecord -ErrorObject ([pscustomobject]@{ category = 'invalidArgument'; message = 'You are not connected to any CSP server: run Connect-Vcs first, or pass -Server.' }) -Target $null
        $Cmdlet.ThrowTerminatingError($record)
    }
    foreach ($t in $targets) {
        if (-not $t.PSObject.Properties['Handle'] -or -not $t.IsConnected) {
            $Cmdlet.ThrowTerminatingError((New-VcsErrorRecord -ErrorObject ([pscustomobject]@{ category = 'invalidArgument'; message = "Server '$($t.Name)' is not connected." }) -Target $t))
        }
        $t
    }
}

# Writes one error per failed item of a bulk report and returns the items that succeeded.
function Write-VcsReport($Report, [System.Management.Automation.PSCmdlet] $Cmdlet) {
    foreach ($item in $Report.items) {
        if ($item.ok) {
            $item
        } else {
            $Cmdlet.WriteError((New-VcsErrorRecord -ErrorObject $item.error -Target $item.input))
        }
    }
}

# Unattended runs (pwsh -NonInteractive, services, CI) must never stop at a prompt.
function Test-VcsNonInteractive {
    (-not [Environment]::UserInteractive) -or [bool]([Environment]::GetCommandLineArgs() | Where-Object { $_ -like '-noni*' })
}

# True when an input object came from a Get- cmdlet of some server and no -Server overrides it.
function Test-VcsOwnServer([object] $InputObject, [object[]] $Server) {
    (-not $Server) -and $InputObject -isnot [string] -and $InputObject.PSObject.Properties['Server'] -and $InputObject.Server
}

# Groups pipeline items by the connection they go to, so end{} makes one bulk call per server.
function Add-VcsPending([hashtable] $Pending, [object[]] $Targets, [object] $Item) {
    foreach ($t in $Targets) {
        $key = "$($t.ServiceUri)|$($t.User)|$($t.Org)$($t.OrganizationId)"
        if (-not $Pending.ContainsKey($key)) { $Pending[$key] = @{ Server = $t; Items = [System.Collections.Generic.List[object]]::new() } }
        $Pending[$key].Items.Add($Item)
    }
}

# end{} of the bulk cmdlets: one library call per server with the queued items, one error per
# failed item. $Call gets the server and the items, and returns the library's result; it runs
# in a child of the caller's scope, so it sees the caller's variables.
function Invoke-VcsPending([hashtable] $Pending, [string] $Activity, [scriptblock] $Call, [System.Management.Automation.PSCmdlet] $Cmdlet) {
    foreach ($entry in $Pending.Values) {
        $s = $entry.Server
        Write-Progress -Activity $Activity -Status "$($entry.Items.Count) item(s) on $($s.Name)"
        $report = Resolve-VcsResult (& $Call $s $entry.Items.ToArray()) $Cmdlet $s
        Write-Progress -Activity $Activity -Completed
        $null = Write-VcsReport $report $Cmdlet
    }
}

function Get-VcsCredentialFile {
    $root = if ($IsWindows) { $env:APPDATA } elseif ($env:XDG_CONFIG_HOME) { $env:XDG_CONFIG_HOME } else { Join-Path $HOME '.config' }
    Join-Path $root 'vcs-native' 'credentials.json'
}

function Read-VcsSavedToken([string] $Server) {
    $file = Get-VcsCredentialFile
    if (-not (Test-Path -LiteralPath $file)) { return $null }
    $saved = Get-Content -LiteralPath $file -Raw | ConvertFrom-Json -AsHashtable
    if (-not $saved.ContainsKey($Server)) { return $null }
    if ($IsWindows) { return ConvertTo-SecureString -String $saved[$Server] }
    ConvertTo-SecureString -String $saved[$Server] -AsPlainText -Force
}

function Save-VcsToken([string] $Server, [securestring] $Token) {
    $file = Get-VcsCredentialFile
    $dir = Split-Path -Parent $file
    $null = New-Item -ItemType Directory -Force -Path $dir
    $saved = if (Test-Path -LiteralPath $file) { Get-Content -LiteralPath $file -Raw | ConvertFrom-Json -AsHashtable } else { @{} }
    # Windows: DPAPI, readable by this user only. Elsewhere: a file only this user may read.
    $saved[$Server] = if ($IsWindows) { ConvertFrom-SecureString -SecureString $Token } else { ConvertFrom-SecureString -SecureString $Token -AsPlainText }
    if (-not $IsWindows) {
        if (-not (Test-Path -LiteralPath $file)) { $null = New-Item -ItemType File -Path $file }
        & chmod 600 $file
        & chmod 700 $dir
    }
    Set-Content -LiteralPath $file -Value (ConvertTo-Json -InputObject $saved) -NoNewline
}

function ConvertTo-VcsPlainText([object] $Value, [string] $Name) {
    if ($null -eq $Value) { return $null }
    if ($Value -is [securestring]) { return ConvertFrom-SecureString -SecureString $Value -AsPlainText }
    if ($Value -is [string]) { return $Value }
    throw [System.ArgumentException]::new("-$Name takes a SecureString or a string.")
}

function ConvertTo-VcsSecureString([object] $Value) {
    if ($Value -is [securestring]) { return $Value }
    ConvertTo-SecureString -String ([string]$Value) -AsPlainText -Force
}

#endregion

#region Connections

function New-VcsOAuthSecurityContext {
    [CmdletBinding(DefaultParameterSetName = 'ApiToken')]
    param(
        [Parameter(Position = 0)] [string] $VcsServer = 'console.cloud.vmware.com',
        [Parameter(Mandatory, ParameterSetName = 'ApiToken')] [object] $ApiToken,
        [Parameter(Mandatory, ParameterSetName = 'WebApp')] [Parameter(Mandatory, ParameterSetName = 'ServiceApp')] [string] $AppId,
        [Parameter(Mandatory, ParameterSetName = 'WebApp')] [Parameter(Mandatory, ParameterSetName = 'ServiceApp')] [object] $AppSecret,
        [Parameter(Mandatory, ParameterSetName = 'WebApp')] [Parameter(Mandatory, ParameterSetName = 'ServiceApp')] [string] $OrganizationId,
        [Parameter(Mandatory, ParameterSetName = 'WebApp')] [uri] $RedirectUrl,
        [switch] $IgnoreSslValidationErrors
    )
    if ($PSCmdlet.ParameterSetName -eq 'WebApp') {
        $PSCmdlet.ThrowTerminatingError((New-VcsErrorRecord -ErrorObject ([pscustomobject]@{ category = 'invalidArgument'; message = 'The browser (authorization code) flow is not supported: use a server-to-server OAuth app (omit -RedirectUrl) or an API token.' }) -Target $RedirectUrl))
    }
    $options = @{ server = $VcsServer; insecureSkipTlsVerify = [bool]$IgnoreSslValidationErrors }
    $secret = $null
    if ($PSCmdlet.ParameterSetName -eq 'ApiToken') {
        $options.apiToken = ConvertTo-VcsPlainText $ApiToken 'ApiToken'
        $secret = ConvertTo-VcsSecureString $ApiToken
    } else {
        $options.appId = $AppId; $options.orgId = $OrganizationId
        $options.appSecret = ConvertTo-VcsPlainText $AppSecret 'AppSecret'
        $secret = ConvertTo-VcsSecureString $AppSecret
    }
    $described = Resolve-VcsResult -Result ([VcsNative.Vcs]::NewOAuthSecurityContext((ConvertTo-VcsJson $options))) -Cmdlet $PSCmdlet -Target $VcsServer
    $context = [pscustomobject]@{
        VcsServer = $VcsServer; Type = $described.type; ApiTokenPreview = $described.apiTokenPreview; AppId = $described.appId
        OrganizationId = $described.organizationId; IgnoreSslValidationErrors = [bool]$IgnoreSslValidationErrors
    }
    # The secret stays a SecureString, hidden from default output.
    $context | Add-Member -MemberType NoteProperty -Name Secret -Value $secret
    $context.PSObject.TypeNames.Insert(0, "$script:TypePrefix.Types.V1.VcsOAuthSecurityContext")
    $context.PSObject.TypeNames.Insert(0, "$script:TypePrefix.Impl.V1.Authentication.VcsOAuthSecurityContextImpl")
    $context
}

function Connect-Vcs {
    [CmdletBinding(DefaultParameterSetName = 'ApiToken')]
    param(
        [Parameter(ParameterSetName = 'ApiToken')] [Parameter(ParameterSetName = 'OAuthSecurityContext')] [string] $Server,
        [Parameter(ParameterSetName = 'ApiToken')] [Alias('RefreshToken')] [object] $ApiToken,
        [Parameter(Mandatory, ParameterSetName = 'OAuthSecurityContext')] [psobject] $OAuthSecurityContext,
        [Parameter(ParameterSetName = 'ApiToken')] [Parameter(ParameterSetName = 'OAuthSecurityContext')] [switch] $NotDefault,
        [Parameter(ParameterSetName = 'ApiToken')] [switch] $SaveApiToken,
        [Parameter(ParameterSetName = 'ApiToken')] [string] $CaCertificatePath,
        [Parameter(ParameterSetName = 'ApiToken')] [switch] $IgnoreSslValidationErrors,
        [Parameter(Mandatory, ParameterSetName = 'Menu')] [switch] $Menu
    )
    if ($Menu) {
        $file = Get-VcsCredentialFile
        if (Test-Path -LiteralPath $file) {
            (Get-Content -LiteralPath $file -Raw | ConvertFrom-Json -AsHashtable).Keys | Sort-Object | ForEach-Object { [pscustomobject]@{ Server = $_ } }
        }
        return
    }
    $options = @{}
    if ($PSCmdlet.ParameterSetName -eq 'OAuthSecurityContext') {
        $options.server = if ($Server) { $Server } else { $OAuthSecurityContext.VcsServer }
        $options.insecureSkipTlsVerify = [bool]$OAuthSecurityContext.IgnoreSslValidationErrors
        $plain = ConvertFrom-SecureString -SecureString $OAuthSecurityContext.Secret -AsPlainText
        if ($OAuthSecurityContext.Type -eq 'ApiToken') { $options.apiToken = $plain }
        else { $options.appId = $OAuthSecurityContext.AppId; $options.appSecret = $plain; $options.orgId = $OAuthSecurityContext.OrganizationId }
    } else {
        $options.server = if ($Server) { $Server } else { 'console.cloud.vmware.com' }
        $token = $ApiToken
        if ($null -eq $token) {
            $token = Read-VcsSavedToken $options.server
            if ($null -eq $token) {
                $PSCmdlet.ThrowTerminatingError((New-VcsErrorRecord -ErrorObject ([pscustomobject]@{ category = 'authentication'; message = "No -ApiToken given and none saved for $($options.server): pass -ApiToken (and -SaveApiToken to keep it)." }) -Target $options.server))
            }
        }
        $options.apiToken = ConvertTo-VcsPlainText $token 'ApiToken'
        $options.insecureSkipTlsVerify = [bool]$IgnoreSslValidationErrors
        if ($CaCertificatePath) { $options.caCertificate = Get-Content -LiteralPath $CaCertificatePath -Raw }
    }
    $handle = $null
    $result = [VcsNative.Vcs]::Connect((ConvertTo-VcsJson $options), [ref] $handle)
    $info = Resolve-VcsResult -Result $result -Cmdlet $PSCmdlet -Target $options.server
    if ($SaveApiToken) { Save-VcsToken $options.server (ConvertTo-VcsSecureString $token) }

    # PowerCLI counts connections to the same server as the same user and organization.
    $existing = @($global:DefaultVcsServers) | Where-Object { $_.ServiceUri -eq $info.url -and $_.User -eq $info.user -and $_.OrganizationId -eq $info.orgId } | Select-Object -First 1
    if ($existing) {
        $handle.Dispose()
        $existing.RefCount++
        return $existing
    }
    $uri = [uri]$info.url
    $server = [pscustomobject]@{
        Name = $info.server; Id = $info.uid; Uid = $info.uid; Port = $uri.Port; ServiceUri = $uri; User = $info.user
        OrganizationId = $info.orgId; OrganizationName = $info.orgName; IsConnected = $true; RefCount = 1; SessionSecret = $null
    }
    $server | Add-Member -MemberType NoteProperty -Name Handle -Value $handle
    $server.PSObject.TypeNames.Insert(0, "$script:TypePrefix.Types.V1.IVcsServer")
    $server.PSObject.TypeNames.Insert(0, "$script:TypePrefix.Impl.V1.CmdletOutput.VcsServerImpl")
    if (-not $NotDefault) { $null = $global:DefaultVcsServers.Add($server) }
    $server
}

function Disconnect-Vcs {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        [Parameter(ValueFromPipeline)] [object[]] $Server,
        [switch] $Force
    )
    begin { $any = $false }
    process {
        $targets = if ($Server) {
            foreach ($s in $Server) {
                if ($s -is [string]) { @($global:DefaultVcsServers) | Where-Object { $_.Name -like $s } } else { $s }
            }
        } else { @($global:DefaultVcsServers) }
        if (-not $Server -and @($targets).Count -gt 1 -and -not $Force) {
            $PSCmdlet.WriteError((New-VcsErrorRecord -ErrorObject ([pscustomobject]@{ category = 'invalidArgument'; message = 'More than one server is connected: name it with -Server, or use -Force for all.' }) -Target $null))
            return
        }
        foreach ($t in $targets) {
            $any = $true
            if (-not $PSCmdlet.ShouldProcess($t.Name, 'Disconnect')) { continue }
            $t.RefCount--
            if ($t.RefCount -le 0 -or $Force) {
                $t.RefCount = 0
                $t.IsConnected = $false
                $t.Handle.Dispose()
                $global:DefaultVcsServers.Remove($t)
            }
        }
    }
    end {
        if (-not $any) {
            $PSCmdlet.WriteError((New-VcsErrorRecord -ErrorObject ([pscustomobject]@{ category = 'invalidArgument'; message = 'You are not connected to any CSP server.' }) -Target $null))
        }
    }
}

#endregion

#region Reading

function Get-VcsOrganizationRole {
    [CmdletBinding(DefaultParameterSetName = 'Name')]
    param(
        [Parameter(ParameterSetName = 'Name', Position = 0)] [string[]] $Name,
        [Parameter(Mandatory, ParameterSetName = 'Id')] [string[]] $Id,
        [Parameter(ParameterSetName = 'Name', ValueFromPipeline)] [object[]] $User,
        [object[]] $Server
    )
    process {
        $query = @{}
        if ($Name) { $query.name = $Name }
        if ($Id) { $query.id = $Id }
        if ($User) { $query.user = @($User | ForEach-Object { if ($_ -is [string]) { $_ } else { $_.Id } }) }
        foreach ($s in Get-VcsTargetServer $Server $PSCmdlet) {
            foreach ($r in (Resolve-VcsResult ([VcsNative.Vcs]::GetOrganizationRoles($s.Handle, (ConvertTo-VcsJson $query))) $PSCmdlet $s)) { ConvertTo-VcsOrganizationRole $r $s }
        }
    }
}

function Get-VcsService {
    [CmdletBinding(DefaultParameterSetName = 'Name')]
    param(
        [Parameter(ParameterSetName = 'Name', Position = 0)] [string[]] $Name,
        [Parameter(Mandatory, ParameterSetName = 'Id')] [string[]] $Id,
        [object[]] $Server
    )
    $query = @{}
    if ($Name) { $query.name = $Name }
    if ($Id) { $query.id = $Id }
    foreach ($s in Get-VcsTargetServer $Server $PSCmdlet) {
        foreach ($x in (Resolve-VcsResult ([VcsNative.Vcs]::GetServices($s.Handle, (ConvertTo-VcsJson $query))) $PSCmdlet $s)) { ConvertTo-VcsService $x $s }
    }
}

function Get-VcsServiceRole {
    [CmdletBinding(DefaultParameterSetName = 'Name')]
    param(
        [Parameter(ParameterSetName = 'Name', Position = 0)] [string[]] $Name,
        [Parameter(Mandatory, ParameterSetName = 'Id')] [string[]] $Id,
        [Parameter(ParameterSetName = 'Name', ValueFromPipeline)] [object[]] $Service,
        [object[]] $Server
    )
    process {
        $query = @{}
        if ($Name) { $query.name = $Name }
        if ($Id) { $query.id = $Id }
        if ($Service) { $query.service = @($Service | ForEach-Object { if ($_ -is [string]) { $_ } else { $_.Id } }) }
        foreach ($s in Get-VcsTargetServer $Server $PSCmdlet) {
            foreach ($r in (Resolve-VcsResult ([VcsNative.Vcs]::GetServiceRoles($s.Handle, (ConvertTo-VcsJson $query))) $PSCmdlet $s)) { ConvertTo-VcsServiceRole $r $s }
        }
    }
}

function Get-VcsUser {
    [CmdletBinding(DefaultParameterSetName = 'Name')]
    param(
        [Parameter(ParameterSetName = 'Name', Position = 0)] [string[]] $Name,
        [Parameter(ParameterSetName = 'Name')] [string[]] $Email,
        [Parameter(Mandatory, ParameterSetName = 'Id', ValueFromPipelineByPropertyName)] [Alias('UserId')] [string[]] $Id,
        [object[]] $Server
    )
    process {
        $query = @{}
        if ($Name) { $query.name = $Name }
        if ($Email) { $query.email = $Email }
        if ($Id) { $query.id = $Id }
        foreach ($s in Get-VcsTargetServer $Server $PSCmdlet) {
            foreach ($u in (Resolve-VcsResult ([VcsNative.Vcs]::GetUsers($s.Handle, (ConvertTo-VcsJson $query))) $PSCmdlet $s)) { ConvertTo-VcsUser $u $s }
        }
    }
}

function Get-VcsUserInvitation {
    [CmdletBinding(DefaultParameterSetName = 'Name')]
    param(
        [Parameter(ParameterSetName = 'Name', Position = 0)] [string[]] $Name,
        [Parameter(ParameterSetName = 'Name')] [ValidateSet('Available', 'Redeemed', 'Revoked', 'Unknown')] [string[]] $Status,
        [Parameter(Mandatory, ParameterSetName = 'Id', ValueFromPipelineByPropertyName)] [string[]] $Id,
        [object[]] $Server
    )
    process {
        $query = @{}
        if ($Name) { $query.name = $Name }
        if ($Status) { $query.status = $Status }
        if ($Id) { $query.id = $Id }
        foreach ($s in Get-VcsTargetServer $Server $PSCmdlet) {
            foreach ($i in (Resolve-VcsResult ([VcsNative.Vcs]::GetUserInvitations($s.Handle, (ConvertTo-VcsJson $query))) $PSCmdlet $s)) { ConvertTo-VcsInvitation $i $s }
        }
    }
}

#endregion

#region Changing

function New-VcsUserInvitation {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)] [string[]] $Email,
        [Parameter(Mandatory)] [object[]] $OrganizationRole,
        [object[]] $ServiceRole,
        [switch] $SkipNotify,
        [object[]] $Server
    )
    begin { $emails = [System.Collections.Generic.List[string]]::new() }
    process {
        foreach ($e in $Email) {
            if ($PSCmdlet.ShouldProcess($e, 'Invite')) { $emails.Add($e) }
        }
    }
    end {
        if ($emails.Count -eq 0) { return }
        $orgRoles = @($OrganizationRole | ForEach-Object { if ($_ -is [string]) { $_ } else { $_.Name } })
        $serviceRoles = @($ServiceRole | Where-Object { $null -ne $_ } | ForEach-Object {
                if ($_ -is [string]) { @{ roles = @($_) } } else { @{ service = $_.ServiceId; roles = @($_.Name) } }
            })
        $request = @{ emails = $emails.ToArray(); organizationRoles = $orgRoles; serviceRoles = $serviceRoles; skipNotify = [bool]$SkipNotify }
        foreach ($s in Get-VcsTargetServer $Server $PSCmdlet) {
            Write-Progress -Activity 'New-VcsUserInvitation' -Status "Inviting $($emails.Count) address(es) on $($s.Name)"
            $report = Resolve-VcsResult ([VcsNative.Vcs]::NewUserInvitations($s.Handle, (ConvertTo-VcsJson $request))) $PSCmdlet $s
            Write-Progress -Activity 'New-VcsUserInvitation' -Completed
            foreach ($item in (Write-VcsReport $report $PSCmdlet)) {
                if ($item.outcome -eq 'invited') { ConvertTo-VcsInvitation $item.result $s }
                elseif ($item.outcome -eq 'notInvited') { Write-Warning "$($item.input): $($item.message). Check with Get-VcsUser." }
            }
        }
    }
}

function Remove-VcsUser {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)] [object[]] $User,
        [switch] $NotifyUsers,
        [switch] $Force,
        [object[]] $Server
    )
    begin {
        $byServer = @{}
        # -Force, or nobody to ask: no prompt (an explicit -Confirm still asks; -WhatIf still holds).
        if (($Force -or (Test-VcsNonInteractive)) -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
    }
    process {
        foreach ($u in $User) {
            $label = if ($u -is [string]) { $u } else { "$($u.Name) <$($u.Email)>" }
            if (-not $PSCmdlet.ShouldProcess($label, 'Remove user')) { continue }
            $targets = if (Test-VcsOwnServer $u $Server) { @($u.Server) } else { @(Get-VcsTargetServer $Server $PSCmdlet) }
            Add-VcsPending $byServer $targets $(if ($u -is [string]) { $u } else { @{ id = $u.Id; username = $u.Username } })
        }
    }
    end {
        $notify = [bool]$NotifyUsers
        Invoke-VcsPending $byServer 'Remove-VcsUser' {
            param($s, $items) [VcsNative.Vcs]::RemoveUsers($s.Handle, (ConvertTo-VcsJson @{ users = $items; notifyUsers = $notify }))
        } $PSCmdlet
    }
}

function Remove-VcsUserInvitation {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)] [Alias('Invitation')] [object[]] $UserInvitation,
        [switch] $Force,
        [object[]] $Server
    )
    begin {
        $byServer = @{}
        # -Force, or nobody to ask: no prompt (an explicit -Confirm still asks; -WhatIf still holds).
        if (($Force -or (Test-VcsNonInteractive)) -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
    }
    process {
        foreach ($i in $UserInvitation) {
            $id = if ($i -is [string]) { $i } else { $i.Id }
            $label = if ($i -is [string]) { $i } else { "$($i.Name) ($id)" }
            if (-not $PSCmdlet.ShouldProcess($label, 'Revoke invitation')) { continue }
            $targets = if (Test-VcsOwnServer $i $Server) { @($i.Server) } else { @(Get-VcsTargetServer $Server $PSCmdlet) }
            Add-VcsPending $byServer $targets $id
        }
    }
    end {
        Invoke-VcsPending $byServer 'Remove-VcsUserInvitation' {
            param($s, $items) [VcsNative.Vcs]::RemoveUserInvitations($s.Handle, (ConvertTo-VcsJson @{ invitations = $items }))
        } $PSCmdlet
    }
}

#endregion

#region Cloud Director

if (-not (Get-Variable -Name DefaultVcdServers -Scope Global -ErrorAction SilentlyContinue)) {
    $global:DefaultVcdServers = [System.Collections.ArrayList]::new()
}

function ConvertTo-VcdUser($u, $Server) {
    $o = [pscustomobject]@{
        Id = $u.id; Name = $u.username; Username = $u.username; FullName = $u.fullName; Email = $u.email
        Description = $u.description; Roles = @($u.roleEntityRefs | ForEach-Object { $_.name }); RoleRefs = @($u.roleEntityRefs)
        Org = $u.orgEntityRef.name; Enabled = $u.enabled; ProviderType = $u.providerType; IsGroupRole = $u.isGroupRole
        NameInSource = $u.nameInSource; StoredVmQuota = $u.storedVmQuota; DeployedVmQuota = $u.deployedVmQuota; Server = $Server
    }
    $o.PSObject.TypeNames.Insert(0, 'VcsNative.VcdUser')
    $o
}

function ConvertTo-VcdRole($r, $Server) {
    $o = [pscustomobject]@{ Id = $r.id; Name = $r.name; Description = $r.description; BundleKey = $r.bundleKey; ReadOnly = $r.readOnly; Server = $Server }
    $o.PSObject.TypeNames.Insert(0, 'VcsNative.VcdRole')
    $o
}

function Get-VcdTargetServer([object[]] $Server, [System.Management.Automation.PSCmdlet] $Cmdlet) {
    $targets = @(if ($Server) { $Server } else { $global:DefaultVcdServers })
    if (-not $targets -or $targets.Count -eq 0) {
        $Cmdlet.ThrowTerminatingError((New-VcsErrorRecord -ErrorObject ([pscustomobject]@{ category = 'invalidArgument'; message = 'You are not connected to any Cloud Director: run Connect-Vcd first, or pass -Server.' }) -Target $null))
    }
    foreach ($t in $targets) {
        if (-not $t.PSObject.Properties['Handle'] -or -not $t.IsConnected) {
            $Cmdlet.ThrowTerminatingError((New-VcsErrorRecord -ErrorObject ([pscustomobject]@{ category = 'invalidArgument'; message = "Cloud Director '$($t.Name)' is not connected." }) -Target $t))
        }
        $t
    }
}

# Role names, URNs or role objects; a string may list several names separated by ';' (CSV cells).
function ConvertTo-VcdRoleList([object[]] $Role) {
    @($Role | Where-Object { $null -ne $_ } | ForEach-Object {
            if ($_ -is [string]) { $_ -split ';' | ForEach-Object { $_.Trim() } | Where-Object { $_ } } else { $_.Id }
        })
}

function Connect-Vcd {
    [CmdletBinding(DefaultParameterSetName = 'Credential')]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Server,
        [Parameter(Mandatory)] [Alias('Organization')] [string] $Org,
        [Parameter(ParameterSetName = 'Credential')] [pscredential] $Credential,
        [Parameter(ParameterSetName = 'User')] [string] $User,
        [Parameter(ParameterSetName = 'User')] [object] $Password,
        [Parameter(Mandatory, ParameterSetName = 'ApiToken')] [object] $ApiToken,
        [string] $ApiVersion,
        [string] $CaCertificatePath,
        [switch] $IgnoreSslValidationErrors,
        [switch] $NotDefault
    )
    $options = @{ server = $Server; org = $Org; insecureSkipTlsVerify = [bool]$IgnoreSslValidationErrors }
    switch ($PSCmdlet.ParameterSetName) {
        'ApiToken' { $options.apiToken = ConvertTo-VcsPlainText $ApiToken 'ApiToken' }
        'User' { $options.username = $User; $options.password = ConvertTo-VcsPlainText $Password 'Password' }
        default {
            if (-not $Credential) {
                $PSCmdlet.ThrowTerminatingError((New-VcsErrorRecord -ErrorObject ([pscustomobject]@{ category = 'invalidArgument'; message = 'Give -Credential, -User and -Password, or -ApiToken.' }) -Target $Server))
            }
            $options.username = $Credential.UserName
            $options.password = $Credential.GetNetworkCredential().Password
        }
    }
    if ($ApiVersion) { $options.apiVersion = $ApiVersion }
    if ($CaCertificatePath) { $options.caCertificate = Get-Content -LiteralPath $CaCertificatePath -Raw }
    $handle = $null
    $info = Resolve-VcsResult -Result ([VcsNative.Vcd]::Connect((ConvertTo-VcsJson $options), [ref] $handle)) -Cmdlet $PSCmdlet -Target $Server
    $server = [pscustomobject]@{
        Name = $info.server; ServiceUri = [uri]$info.url; Org = $info.org; OrgId = $info.orgId; User = $info.user; UserId = $info.userId
        Roles = @($info.roles); IsProvider = $info.provider; ApiVersion = $info.apiVersion; IsConnected = $true
    }
    $server | Add-Member -MemberType NoteProperty -Name Handle -Value $handle
    $server.PSObject.TypeNames.Insert(0, 'VcsNative.VcdServer')
    if (-not $NotDefault) { $null = $global:DefaultVcdServers.Add($server) }
    $server
}

function Disconnect-Vcd {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        [Parameter(ValueFromPipeline)] [object[]] $Server,
        [switch] $Force
    )
    process {
        $targets = if ($Server) { $Server } else { @($global:DefaultVcdServers) }
        if (-not $Server -and @($targets).Count -gt 1 -and -not $Force) {
            $PSCmdlet.WriteError((New-VcsErrorRecord -ErrorObject ([pscustomobject]@{ category = 'invalidArgument'; message = 'More than one Cloud Director is connected: name it with -Server, or use -Force for all.' }) -Target $null))
            return
        }
        foreach ($t in $targets) {
            if (-not $PSCmdlet.ShouldProcess("$($t.User)@$($t.Org) on $($t.Name)", 'Disconnect')) { continue }
            $t.IsConnected = $false
            $t.Handle.Dispose()
            $global:DefaultVcdServers.Remove($t)
        }
    }
}

function Get-VcdRole {
    [CmdletBinding(DefaultParameterSetName = 'Name')]
    param(
        [Parameter(ParameterSetName = 'Name', Position = 0)] [string[]] $Name,
        [Parameter(Mandatory, ParameterSetName = 'Id')] [string[]] $Id,
        [object[]] $Server
    )
    $query = @{}
    if ($Name) { $query.name = $Name }
    if ($Id) { $query.id = $Id }
    foreach ($s in Get-VcdTargetServer $Server $PSCmdlet) {
        foreach ($r in (Resolve-VcsResult ([VcsNative.Vcd]::GetRoles($s.Handle, (ConvertTo-VcsJson $query))) $PSCmdlet $s)) { ConvertTo-VcdRole $r $s }
    }
}

function Get-VcdUser {
    [CmdletBinding(DefaultParameterSetName = 'Name')]
    param(
        [Parameter(ParameterSetName = 'Name', Position = 0)] [string[]] $Name,
        [Parameter(ParameterSetName = 'Name')] [string[]] $Email,
        [Parameter(ParameterSetName = 'Name')] [string] $Filter,
        [Parameter(Mandatory, ParameterSetName = 'Id', ValueFromPipelineByPropertyName)] [string[]] $Id,
        [object[]] $Server
    )
    process {
        foreach ($s in Get-VcdTargetServer $Server $PSCmdlet) {
            if ($Id) {
                foreach ($one in $Id) {
                    ConvertTo-VcdUser (Resolve-VcsResult ([VcsNative.Vcd]::GetUser($s.Handle, $one)) $PSCmdlet $one) $s
                }
                continue
            }
            $query = @{}
            if ($Name) { $query.name = $Name }
            if ($Email) { $query.email = $Email }
            if ($Filter) { $query.filter = $Filter }
            foreach ($u in (Resolve-VcsResult ([VcsNative.Vcd]::GetUsers($s.Handle, (ConvertTo-VcsJson $query))) $PSCmdlet $s)) { ConvertTo-VcdUser $u $s }
        }
    }
}

function New-VcdUser {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)] [Alias('Username', 'UserName')] [string] $Name,
        [Parameter(ValueFromPipelineByPropertyName)] [object] $Password,
        [Parameter(ValueFromPipelineByPropertyName)] [Alias('Roles')] [object[]] $Role,
        [Parameter(ValueFromPipelineByPropertyName)] [string] $FullName,
        [Parameter(ValueFromPipelineByPropertyName)] [string] $Email,
        [Parameter(ValueFromPipelineByPropertyName)] [string] $Description,
        [Parameter(ValueFromPipelineByPropertyName)] [object] $Enabled,
        [Parameter(ValueFromPipelineByPropertyName)] [ValidateSet('LOCAL', 'LDAP', 'SAML', 'OAUTH')] [string] $ProviderType = 'LOCAL',
        [Parameter(ValueFromPipelineByPropertyName)] [switch] $IsGroupRole,
        [Parameter(ValueFromPipelineByPropertyName)] [Nullable[int]] $StoredVmQuota,
        [Parameter(ValueFromPipelineByPropertyName)] [Nullable[int]] $DeployedVmQuota,
        [object[]] $Server
    )
    begin { $rows = [System.Collections.Generic.List[object]]::new() }
    process {
        if (-not $PSCmdlet.ShouldProcess($Name, 'Create Cloud Director user')) { return }
        $row = @{ username = $Name; roles = ConvertTo-VcdRoleList $Role; providerType = $ProviderType; isGroupRole = [bool]$IsGroupRole }
        if ($null -ne $Password -and "$Password" -ne '') { $row.password = ConvertTo-VcsPlainText $Password 'Password' }
        if ($FullName) { $row.fullName = $FullName }
        if ($Email) { $row.email = $Email }
        if ($Description) { $row.description = $Description }
        if ($null -ne $Enabled -and "$Enabled" -ne '') { $row.enabled = [System.Convert]::ToBoolean("$Enabled") }
        if ($null -ne $StoredVmQuota) { $row.storedVmQuota = $StoredVmQuota }
        if ($null -ne $DeployedVmQuota) { $row.deployedVmQuota = $DeployedVmQuota }
        $rows.Add($row)
    }
    end {
        if ($rows.Count -eq 0) { return }
        foreach ($s in Get-VcdTargetServer $Server $PSCmdlet) {
            Write-Progress -Activity 'New-VcdUser' -Status "Creating $($rows.Count) user(s) in $($s.Org)"
            $report = Resolve-VcsResult ([VcsNative.Vcd]::NewUsers($s.Handle, (ConvertTo-VcsJson @{ users = $rows.ToArray() }))) $PSCmdlet $s
            Write-Progress -Activity 'New-VcdUser' -Completed
            foreach ($item in (Write-VcsReport $report $PSCmdlet)) { ConvertTo-VcdUser $item.result $s }
        }
    }
}

function Set-VcdUser {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)] [object] $User,
        [string] $FullName,
        [string] $Email,
        [string] $Description,
        [Nullable[bool]] $Enabled,
        [object[]] $Role,
        [object] $Password,
        [Nullable[int]] $StoredVmQuota,
        [Nullable[int]] $DeployedVmQuota,
        [object[]] $Server
    )
    process {
        $id = if ($User -is [string]) { $User } else { $User.Id }
        $targets = if (Test-VcsOwnServer $User $Server) { @($User.Server) } else { @(Get-VcdTargetServer $Server $PSCmdlet) }
        if (-not $PSCmdlet.ShouldProcess($id, 'Change Cloud Director user')) { return }
        $changes = @{ id = $id }
        if ($PSBoundParameters.ContainsKey('FullName')) { $changes.fullName = $FullName }
        if ($PSBoundParameters.ContainsKey('Email')) { $changes.email = $Email }
        if ($PSBoundParameters.ContainsKey('Description')) { $changes.description = $Description }
        if ($null -ne $Enabled) { $changes.enabled = $Enabled }
        if ($Role) { $changes.roles = ConvertTo-VcdRoleList $Role }
        if ($null -ne $Password) { $changes.password = ConvertTo-VcsPlainText $Password 'Password' }
        if ($null -ne $StoredVmQuota) { $changes.storedVmQuota = $StoredVmQuota }
        if ($null -ne $DeployedVmQuota) { $changes.deployedVmQuota = $DeployedVmQuota }
        foreach ($s in $targets) {
            ConvertTo-VcdUser (Resolve-VcsResult ([VcsNative.Vcd]::SetUser($s.Handle, (ConvertTo-VcsJson $changes))) $PSCmdlet $id) $s
        }
    }
}

function Remove-VcdUser {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)] [object[]] $User,
        [switch] $Force,
        [object[]] $Server
    )
    begin {
        $byServer = @{}
        # -Force, or nobody to ask: no prompt (an explicit -Confirm still asks; -WhatIf still holds).
        if (($Force -or (Test-VcsNonInteractive)) -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
    }
    process {
        foreach ($u in $User) {
            $ref = if ($u -is [string]) { $u } else { $u.Id }
            $label = if ($u -is [string]) { $u } else { "$($u.Username) ($ref)" }
            if (-not $PSCmdlet.ShouldProcess($label, 'Remove Cloud Director user')) { continue }
            $targets = if (Test-VcsOwnServer $u $Server) { @($u.Server) } else { @(Get-VcdTargetServer $Server $PSCmdlet) }
            Add-VcsPending $byServer $targets $ref
        }
    }
    end {
        Invoke-VcsPending $byServer 'Remove-VcdUser' {
            param($s, $items) [VcsNative.Vcd]::RemoveUsers($s.Handle, (ConvertTo-VcsJson @{ users = $items }))
        } $PSCmdlet
    }
}

#endregion

Export-ModuleMember -Function @(
    'Connect-Vcs', 'Disconnect-Vcs', 'New-VcsOAuthSecurityContext', 'Get-VcsOrganizationRole', 'Get-VcsService',
    'Get-VcsServiceRole', 'Get-VcsUser', 'Get-VcsUserInvitation', 'New-VcsUserInvitation', 'Remove-VcsUser',
    'Remove-VcsUserInvitation', 'Connect-Vcd', 'Disconnect-Vcd', 'Get-VcdUser', 'New-VcdUser', 'Set-VcdUser', 'Remove-VcdUser',
    'Get-VcdRole'
)
