# Pester 5 tests of the compiled VcsNative module in a real pwsh, against a running emulator.
# tests/run.sh builds the module, starts the emulator and runs them with
#   pwsh -NoProfile -NonInteractive -File tests/run-pester.ps1 -Path tests/powershell
# passing VCS_TEST_URL, VCS_TEST_API_TOKEN, VCS_TEST_VCD_ORG, VCS_TEST_VCD_USER, VCS_TEST_VCD_PASSWORD
# and VCS_TEST_MODULE (the built target/powershell/VcsNative/VcsNative.psd1, its default here).
# The engine tests (tests/engine) check the same module on the engine alone; these check it where
# people use it: pwsh's own host, Get-Help, Import-Csv, -NonInteractive.

BeforeDiscovery {
    # Without a console to answer, a removal that asks must fail; with one it would wait for an answer.
    $nonInteractive = [bool]([Environment]::GetCommandLineArgs() | Where-Object { $_ -like '-noni*' })
}

BeforeAll {
    $module = if ($env:VCS_TEST_MODULE) { $env:VCS_TEST_MODULE } else { Join-Path $PSScriptRoot '../../target/powershell/VcsNative/VcsNative.psd1' }
    Import-Module $module -Force
    $script:Url = $env:VCS_TEST_URL
    $script:Token = $env:VCS_TEST_API_TOKEN
    function Invoke-Control([string] $Method, [string] $Path, $Body) {
        $params = @{ Method = $Method; Uri = "$script:Url/_emulator/$Path" }
        if ($null -ne $Body) { $params.Body = (ConvertTo-Json $Body -Depth 5); $params.ContentType = 'application/json' }
        Invoke-RestMethod @params
    }
}

AfterAll {
    Get-Module VcsNative | Remove-Module -Force
}

Describe 'The module' {
    It 'is the compiled module: its cmdlets are the manifest list' {
        $m = Get-Module VcsNative
        $m.ModuleType | Should -Be 'Binary'
        $listed = (Import-PowerShellDataFile (Join-Path $m.ModuleBase 'VcsNative.psd1')).CmdletsToExport
        (Get-Command -Module VcsNative).Name | Sort-Object | Should -Be ($listed | Sort-Object)
    }

    It 'has help for every command: a synopsis, parameters described, examples' {
        foreach ($c in Get-Command -Module VcsNative) {
            $help = Get-Help $c.Name -Full
            $help.Synopsis | Should -Not -BeLike "$($c.Name) *" -Because "$($c.Name) has a synopsis, not its syntax"
            @($help.examples.example).Count | Should -BeGreaterThan 0 -Because "$($c.Name) has examples"
            foreach ($p in $help.parameters.parameter) {
                ($p.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "$($c.Name) -$($p.name) is described"
            }
        }
    }
}

Describe 'Connect-Vcs and Disconnect-Vcs' {
    AfterEach { if ($global:DefaultVcsServers.Count) { Disconnect-Vcs -Force -Confirm:$false } }

    It 'connects with a plain-string API token and adds the default server' {
        $server = Connect-Vcs -Server $script:Url -ApiToken $script:Token
        $server | Should -BeOfType ([VMware.CloudServices.Types.V1.IVcsServer])
        $server.PSObject.TypeNames[0] | Should -Be 'VMware.CloudServices.Impl.V1.CmdletOutput.VcsServerImpl'
        $server.OrganizationName | Should -Be 'Acme Cloud Operations'
        $server.IsConnected | Should -BeTrue
        $global:DefaultVcsServers | Should -HaveCount 1
    }

    It 'connects with a SecureString token and counts references' {
        $secure = ConvertTo-SecureString $script:Token -AsPlainText -Force
        $a = Connect-Vcs -Server $script:Url -ApiToken $secure
        $b = Connect-Vcs -Server $script:Url -ApiToken $script:Token
        $b.RefCount | Should -Be 2
        Disconnect-Vcs -Server $a -Confirm:$false
        $a.IsConnected | Should -BeTrue
        Disconnect-Vcs -Server $a -Confirm:$false
        $a.IsConnected | Should -BeFalse
        $global:DefaultVcsServers | Should -HaveCount 0
    }

    It 'keeps -NotDefault connections out of the defaults' {
        $s = Connect-Vcs -Server $script:Url -ApiToken $script:Token -NotDefault
        $global:DefaultVcsServers | Should -HaveCount 0
        (Get-VcsOrganizationRole -Server $s).Name | Should -Contain 'org_owner'
        Disconnect-Vcs -Server $s -Confirm:$false
    }

    It 'connects through an OAuth security context' {
        $ctx = New-VcsOAuthSecurityContext -VcsServer $script:Url -ApiToken $script:Token
        $ctx.Type | Should -Be 'ApiToken'
        $ctx.ApiTokenPreview | Should -Not -Match ([regex]::Escape($script:Token))
        $s = Connect-Vcs -Server $script:Url -OAuthSecurityContext $ctx
        $s.User | Should -Be 'ada.andersen@example.com'
    }

    It 'refuses a bad token with an authentication error' {
        { Connect-Vcs -Server $script:Url -ApiToken 'wrong-token' -ErrorAction Stop } | Should -Throw -ErrorId 'Vcs.authentication*'
    }

    It 'saves the API token for this user only and finds it again' {
        $env:XDG_CONFIG_HOME = Join-Path $TestDrive 'config'
        Connect-Vcs -Server $script:Url -ApiToken $script:Token -SaveApiToken | Out-Null
        Disconnect-Vcs -Force -Confirm:$false
        $file = Join-Path $env:XDG_CONFIG_HOME 'vcs-native/credentials.json'
        if ($IsLinux) { (& stat -c '%a' $file) | Should -Be '600' }
        (Connect-Vcs -Server $script:Url).IsConnected | Should -BeTrue
    }
}

Describe 'Reading' {
    BeforeAll { Connect-Vcs -Server $script:Url -ApiToken $script:Token | Out-Null }
    AfterAll { Disconnect-Vcs -Force -Confirm:$false }

    It 'lists organization roles as typed objects' {
        $roles = Get-VcsOrganizationRole
        $roles.Name | Should -Contain 'org_member'
        $roles[0] | Should -BeOfType ([VMware.CloudServices.Types.V1.CmdletOutput.IVcsOrganizationRole])
    }

    It 'pipes services into Get-VcsServiceRole' {
        $roles = Get-VcsService -Name 'VMware Cloud on AWS' | Get-VcsServiceRole
        ($roles.Name | Sort-Object) | Should -Be @('nsx:cloud_admin', 'nsx:cloud_auditor', 'vmc-user:full')
    }

    It 'filters users with wildcards in the library' {
        $users = Get-VcsUser -Name 'A*'
        $users | ForEach-Object { ($_.Name -like 'A*') -or ($_.Username -like 'a*') | Should -BeTrue }
        $users[0] | Should -BeOfType ([VMware.CloudServices.Types.V1.CmdletOutput.IVcsUser])
        foreach ($p in 'Email', 'Id', 'Name', 'Uid', 'Username') { $users[0].PSObject.Properties.Name | Should -Contain $p }
    }

    It 'shows users as a table of name and whole email that fits 80 columns' {
        $table = Get-VcsUser -Name 'Ada Andersen' | Out-String -Width 80
        $table | Should -Match 'Name\s+Email'
        $table | Should -Match 'ada\.andersen@example\.com'
        $table -split "`n" | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }

    It 'refuses an empty filter instead of returning everyone' {
        $nobody = $null
        { Get-VcsUser -Name $nobody -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'gets a user by id, and an unknown id is an ObjectNotFound error' {
        $one = (Get-VcsUser)[0]
        (Get-VcsUser -Id $one.Id).Username | Should -Be $one.Username
        { Get-VcsUser -Id 'example.com:00000000-0000' -ErrorAction Stop } | Should -Throw -ErrorId 'Vcs.notFound*'
    }

    It 'gets the roles of a user from the pipeline' {
        (Get-VcsUser -Name 'Ada Andersen' | Get-VcsOrganizationRole).Name | Should -Be 'org_owner'
    }
}

Describe 'Changing' {
    BeforeAll {
        Invoke-Control POST reset | Out-Null
        Connect-Vcs -Server $script:Url -ApiToken $script:Token | Out-Null
    }
    AfterAll { Disconnect-Vcs -Force -Confirm:$false }

    It 'invites with role objects and returns invitations' {
        $invs = New-VcsUserInvitation -Email 'ps.one@host.example', 'ps.two@host.example' `
            -OrganizationRole (Get-VcsOrganizationRole -Name org_member) `
            -ServiceRole (Get-VcsServiceRole -Name nsx:cloud_auditor) -Confirm:$false
        $invs | Should -HaveCount 2
        $invs[0].Status | Should -Be 'Available'
        $invs[0].ExpiredDate | Should -BeOfType [datetime]
    }

    It 'writes one error per bad address and keeps going' {
        $errs = $null
        $invs = New-VcsUserInvitation -Email 'ps.three@host.example', 'not-an-email' -OrganizationRole org_member -ErrorVariable errs -ErrorAction SilentlyContinue
        $invs | Should -HaveCount 1
        $errs | Should -HaveCount 1
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs[0].TargetObject | Should -Be 'not-an-email'
    }

    It 'changes nothing with -WhatIf' {
        # Ada Andersen is the token's owner: a removal of her needs -AllowSelf, so other users here.
        $before = (Invoke-Control GET state).invitations.Count
        $users = @(Get-VcsUser -Name 'B*')
        $users.Count | Should -BeGreaterThan 0
        New-VcsUserInvitation -Email 'whatif@host.example' -OrganizationRole org_member -WhatIf
        $users | Remove-VcsUser -WhatIf -ErrorVariable errs
        $errs | Should -HaveCount 0
        (Invoke-Control GET state).invitations.Count | Should -Be $before
        @(Get-VcsUser -Name 'B*') | Should -HaveCount $users.Count
    }

    It 'removes piped users without prompting when -Confirm:$false' {
        $id = (Get-VcsUserInvitation -Name 'ps.one@host.example').Id
        Invoke-Control POST "invitations/$id/accept" | Out-Null
        Get-VcsUser -Email 'ps.one@host.example' | Remove-VcsUser -Confirm:$false
        Get-VcsUser -Email 'ps.one@host.example' | Should -BeNullOrEmpty
    }

    It 'fails without removing anything where nobody can confirm (pwsh -NonInteractive)' -Skip:(-not $nonInteractive) {
        $victim = (Get-VcsUser)[-1]
        { Remove-VcsUser -User $victim -ErrorAction Stop } | Should -Throw
        Get-VcsUser -Id $victim.Id | Should -HaveCount 1
        { Get-VcsUserInvitation -Status Available | Remove-VcsUserInvitation -ErrorAction Stop } | Should -Throw
        Get-VcsUserInvitation -Name 'ps.two@host.example' -Status Available | Should -HaveCount 1
    }

    It 'reports a failed removal as an error and -ErrorAction Stop stops' {
        { Remove-VcsUser -User 'nobody@nowhere.example' -Force -ErrorAction Stop } | Should -Throw -ErrorId 'Vcs.notFound*'
    }

    It 'revokes piped invitations' {
        Get-VcsUserInvitation -Name 'ps.*@host.example' -Status Available | Remove-VcsUserInvitation -Force
        Get-VcsUserInvitation -Name 'ps.*@host.example' -Status Available | Should -BeNullOrEmpty
    }
}

Describe 'Cloud Director users' {
    BeforeAll {
        $script:VcdOrg = $env:VCS_TEST_VCD_ORG
        $script:VcdUser = $env:VCS_TEST_VCD_USER
        $script:VcdPassword = $env:VCS_TEST_VCD_PASSWORD
        $secure = ConvertTo-SecureString $script:VcdPassword -AsPlainText -Force
        $cred = [pscredential]::new($script:VcdUser, $secure)
        Connect-Vcd -Server $script:Url -Org $script:VcdOrg -Credential $cred | Out-Null
    }
    AfterAll { Disconnect-Vcd -Force -Confirm:$false }

    It 'lists roles and users' {
        (Get-VcdRole -Name 'vApp*').Name | Should -Contain 'vApp User'
        $users = Get-VcdUser
        $users[0] | Should -BeOfType ([VcsNative.VcdUser])
        (Get-VcdUser -Filter 'providerType==LDAP') | ForEach-Object { $_.ProviderType | Should -Be 'LDAP' }
    }

    It 'counts sessions: logging in twice needs two Disconnect-Vcd' {
        $again = Connect-Vcd -Server $script:Url -Org $script:VcdOrg -User $script:VcdUser -Password $script:VcdPassword
        $again.RefCount | Should -Be 2
        Disconnect-Vcd -Server $again -Confirm:$false
        $again.IsConnected | Should -BeTrue
        $global:DefaultVcdServers | Should -HaveCount 1
    }

    It 'creates users from CSV rows, empty cells as not given, and reports each bad row' {
        $csv = @(
            'Username,Password,Role,FullName,Email,Enabled,ProviderType'
            'csv.one,csv-pass-1,vApp User,Csv One,csv.one@acme.example,true,LOCAL'
            'csv.two,csv-pass-2,Catalog Author;vApp Author,Csv Two,csv.two@acme.example,false,LOCAL'
            'csv.ldap,,vApp User,Csv Ldap,,,LDAP'
            'csv.bad,,vApp User,No Password,,,LOCAL'
        ) | ConvertFrom-Csv
        $errs = $null
        $created = $csv | New-VcdUser -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $created | Should -HaveCount 3
        ($created | Where-Object Name -eq 'csv.two').Roles | Should -Be @('Catalog Author', 'vApp Author')
        ($created | Where-Object Name -eq 'csv.two').Enabled | Should -BeFalse
        ($created | Where-Object Name -eq 'csv.ldap').ProviderType | Should -Be 'LDAP'
        $errs | Should -HaveCount 1
        $errs[0].TargetObject | Should -Be 'csv.bad'
    }

    It 'refuses a duplicate username as the service does' {
        { New-VcdUser -Name 'csv.one' -Password (ConvertTo-SecureString 'other-pass' -AsPlainText -Force) -Role 'vApp User' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'Vcs.conflict*'
    }

    It 'changes and removes piped users, never with -WhatIf' {
        $u = Get-VcdUser -Name 'csv.one'
        ($u | Set-VcdUser -FullName 'Changed' -Enabled $false -Confirm:$false).FullName | Should -Be 'Changed'
        Get-VcdUser -Name 'csv.*' | Remove-VcdUser -WhatIf
        Get-VcdUser -Name 'csv.*' | Should -HaveCount 3
        Get-VcdUser -Name 'csv.*' | Remove-VcdUser -Confirm:$false
        Get-VcdUser -Name 'csv.*' | Should -BeNullOrEmpty
    }
}
